/* SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause) */
/* xh_abi.h: everything shared by bpf/ and user/: events, flow key and state,
 * counters, rules and limits. Includes nothing: each side includes
 * <linux/types.h> (user) or <linux/bpf.h> (BPF) first.
 *
 * Rules for this file: fixed-width types only, explicit padding, and never
 * reuse a retired enum number (append new values before the __MAX entry).
 */
#ifndef XH_ABI_H
#define XH_ABI_H

/* ---- limits ------------------------------------------------------------ */
#define XH_MAX_VLANS	2 /* 802.1Q / 802.1ad tags parsed; a third is an error */
#define XH_MAX_IPV6_EXT 8 /* IPv6 extension headers walked before giving up */
/* xh_flows entries unless --flows says otherwise. The flows' other state
 * (xh_seen, xh_smb, xh_smb_trees, xh_rpc_ctx) has as many (the loader sizes
 * them all from --flows): with fewer, a table holding more SMB flows than
 * xh_smb cycled through it, and every packet made its finding again. */
#define XH_FLOWS_DEFAULT 131072
#define XH_IOC4_MAX	 1048576 /* xh_ioc4 entries (LPM trie, not preallocated) */
#define XH_IOC6_MAX	 131072	 /* xh_ioc6 entries */
/* xh_events bytes; power of two. 16 MiB holds ~35 ms of findings at 3 M/s:
 * with 4 MiB a consumer kept off its CPU for 7-9 ms (another task, the
 * hypervisor) lost findings in 2 of 20 paced bench runs, with 16 in none. */
#define XH_RINGBUF_DEFAULT (16u << 20)
#define XH_PORTS_MAX	   65536 /* xh_ports is indexed by host-order port */
/* Seconds a dynamic DCE/RPC endpoint's mark outlives its last counted
 * packet (bpf/dcerpc_dyn.bpf.h), unless --flow-timeout is longer. */
#define XH_RPC_DYN_IDLE_S 600
#define XH_SEEN_MAX	  XH_FLOWS_DEFAULT /* xh_seen: (flow, rule, value) findings reported */

/* Address families, as in <sys/socket.h>; repeated so that BPF code needs no libc. */
#define XH_AF_INET  2
#define XH_AF_INET6 10

/* ---- services (value of xh_ports) and traffic classes -------------------- */
enum xh_service {
	XH_SVC_NONE = 0,
	XH_SVC_SMB = 1, /* SMB direct (445) or NetBIOS session (139) */
	XH_SVC_RPC = 2, /* MS-RPC endpoint mapper (135) */
	/* A dynamic DCE/RPC endpoint: a port where a flow bound a listed
	 * interface, or that an ept_map answer named for one. Set by the
	 * program (bpf/dcerpc_dyn.bpf.h), never by the loader; its packets
	 * count to flows that exist, and only a client's SYN to an endpoint
	 * an ept_map answer named makes one. */
	XH_SVC_RPC_DYN = 3,
	XH_SVC__MAX,
};

/* Classes a packet is counted under; one packet may count in several. */
enum xh_class {
	XH_CLASS_SMB = 0,
	XH_CLASS_RPC = 1,
	XH_CLASS_IOC = 2,
	XH_CLASS__MAX,
};

/* ---- rules: what an event reports. Printable names live in user/enrich.c */
enum xh_rule {
	XH_RULE_NONE = 0,
	XH_RULE_SMB_CONNECT = 1, /* smb.connect: TCP flow to an SMB service port */
	XH_RULE_RPC_CONNECT = 2, /* rpc.connect: TCP flow to an RPC service port */
	XH_RULE_IOC_DEST = 3,	 /* ioc.dest: the flow's server is in an IoC feed */
	XH_RULE_IOC_SRC = 4,	 /* ioc.src: the flow's client is in an IoC feed */

	/* SMB deep inspection (bpf/smb.bpf.h) */
	XH_RULE_SMB_ADMIN_SHARE = 5,   /* smb.admin_share: tree connect to ADMIN$, C$, X$ */
	XH_RULE_SMB_IPC_SHARE = 6,     /* smb.ipc_share: tree connect to IPC$ */
	XH_RULE_SMB_NAMED_PIPE = 7,    /* smb.named_pipe: CREATE on an IPC$ tree */
	XH_RULE_SMB_TOOL_TRANSFER = 8, /* smb.tool_transfer: executable written to a disk share */
	XH_RULE_SMB_V1 = 9,	       /* smb.v1: the flow speaks SMB1 */
	XH_RULE_SMB_ENCRYPTED = 10,    /* smb.encrypted: SMB3 transform header on the flow */

	XH_RULE_DCERPC_BIND = 11, /* dcerpc.bind: a context binds a listed interface */
	XH_RULE_DCERPC_CALL = 12, /* dcerpc.call: a REQUEST of a listed (interface, opnum) */
	XH_RULE_IOC_DNS = 13,	  /* ioc.dns: a DNS query names an IoC domain */
	XH_RULE_IOC_TLS_SNI = 14, /* ioc.tls_sni: a TLS ClientHello names an IoC domain */

	XH_RULE_SCAN_SMB_SWEEP = 15, /* scan.smb_sweep: one source opens SMB to many hosts */

	XH_RULE_SMB_ADMIN_READ = 16,	/* smb.admin_read: READ of a file on an admin share */
	XH_RULE_SMB_ADMIN_LISTING = 17, /* smb.admin_listing: directory listed on an admin share */
	XH_RULE_SMB_EXPLOIT = 18,	/* smb.exploit: an SMB1 request of MS17-010 tooling */
	XH_RULE_SMB_BRUTE_FORCE = 19,	/* smb.brute_force: one client's logons fail in bulk */
	XH_RULE_SMB_LOGON = 20,		/* smb.logon: an NTLM logon names its account */
	XH_RULE_DCERPC_LOGON = 21,	/* dcerpc.logon: the same in a DCE/RPC auth_value */
	/* Remote services on any TCP port (bpf/remote.bpf.h) */
	XH_RULE_RDP_CONNECT = 22, /* rdp.connect: an RDP client's X.224 connection request */
	XH_RULE_SSH_CONNECT = 23, /* ssh.connect: an SSH client's identification string */
	/* any TCP port (bpf/sweep.bpf.h) */
	XH_RULE_SCAN_PORT_SCAN = 24, /* scan.port_scan: one source probes many ports of a host */
	/* remote-administration ports (--service-sweep-ports, bpf/sweep.bpf.h);
	 * scan.service_sweep: one source opens a port on many hosts */
	XH_RULE_SCAN_SERVICE_SWEEP = 25,
	/* Kerberos (UDP and TCP 88, bpf/kerberos.bpf.h); kerberos.brute_force:
	 * one client's KDC logons fail in bulk */
	XH_RULE_KRB_BRUTE_FORCE = 26,
	/* kerberos.no_preauth: a KDC issued a TGT to an AS-REQ without
	 * pre-authentication (an AS-REP to roast offline) */
	XH_RULE_KRB_NO_PREAUTH = 27,
	/* kerberos.weak_ticket: a KDC issued a service ticket encrypted with
	 * RC4 or DES (a TGS-REP to crack offline: Kerberoasting) */
	XH_RULE_KRB_WEAK_TICKET = 28,
	/* kerberos.weak_request: a client asked a service ticket preferring
	 * RC4 or DES (a TGS-REQ as Impacket's and Rubeus' Kerberoasting send
	 * it, whatever the KDC then issues) */
	XH_RULE_KRB_WEAK_REQUEST = 29,
	/* ntlm.relay: the NT response of an smb.logon or dcerpc.logon seen on
	 * another flow moments before (ntlmrelayx, Responder's relays). Made
	 * by userspace from two logon events (user/accounts.c), never by the
	 * kernel */
	XH_RULE_NTLM_RELAY = 30,
	XH_RULE__MAX,
};
#define XH_RULE_BIT(r) (1ULL << (r))

/* ---- parse failures: -XH_PERR_* from bpf/parse.h, counted per reason ----- */
enum xh_perr {
	XH_PERR_NONE = 0,
	XH_PERR_ETH_TRUNC = 1,	    /* frame shorter than an Ethernet header */
	XH_PERR_VLAN_TRUNC = 2,	    /* VLAN tag cut short */
	XH_PERR_VLAN_DEPTH = 3,	    /* more than XH_MAX_VLANS tags */
	XH_PERR_IPV4_TRUNC = 4,	    /* IPv4 header (with options) cut short */
	XH_PERR_IPV4_BAD = 5,	    /* version != 4, IHL < 5, or total length < IHL */
	XH_PERR_IPV6_TRUNC = 6,	    /* IPv6 fixed header cut short */
	XH_PERR_IPV6_BAD = 7,	    /* version != 6; live, payload length 0 and no jumbogram */
	XH_PERR_IPV6_EXT_TRUNC = 8, /* extension header cut short */
	XH_PERR_IPV6_EXT_DEPTH = 9, /* more than XH_MAX_IPV6_EXT extension headers */
	XH_PERR_TCP_TRUNC = 10,	    /* TCP header (with options) cut short */
	XH_PERR_TCP_BAD = 11,	    /* data offset < 5 */
	XH_PERR_UDP_TRUNC = 12,	    /* UDP header cut short, or its length past the IP payload */
	XH_PERR_ICMP_TRUNC = 13,    /* ICMP/ICMPv6 type and code cut short */
	XH_PERR_UDP_BAD = 14,	    /* UDP length < 8 (0 over IPv4) */
	XH_PERR__MAX,
};

/* ---- IoC: names (DNS, TLS SNI), references, block mode ------------------- */
/* Reasons counted in xh_stats.ioc[]. */
enum xh_ioc_cnt {
	XH_IOC_CNT_DNS_QUERY = 0,   /* DNS queries whose question was parsed */
	XH_IOC_CNT_DNS_NOT_QUERY,   /* port 53 payload that is a response or not opcode QUERY */
	XH_IOC_CNT_DNS_NO_QUESTION, /* QDCOUNT 0 */
	XH_IOC_CNT_DNS_MULTI_Q,	    /* QDCOUNT > 1: only the first question is matched */
	XH_IOC_CNT_DNS_COMPRESSED,  /* compression pointer in a query name: malformed */
	XH_IOC_CNT_DNS_BAD_LABEL,   /* label type 0x40/0x80, '.' inside a label, name > 253 */
	XH_IOC_CNT_DNS_TRUNC,	    /* header or question cut short */
	XH_IOC_CNT_TLS_HELLO,	    /* ClientHellos walked */
	XH_IOC_CNT_TLS_SNI,	    /* ... with a server_name found */
	XH_IOC_CNT_TLS_NO_SNI,	    /* ... complete, without server_name */
	XH_IOC_CNT_TLS_TRUNC,	    /* ... SNI not within this segment (split ClientHello) */
	XH_IOC_CNT_TLS_BAD,	    /* ... malformed lengths or server_name */
	XH_IOC_CNT_NAME_MATCH,	    /* names whose suffix hash is an IoC domain */
	XH_IOC_CNT_DROP,	    /* packets dropped by a block-mode indicator */
	XH_IOC_CNT_NO_SET,	    /* an outer IoC map slot was empty (before the first load) */
	XH_IOC_CNT_ADDR_CACHED,	    /* addresses answered from the tries' answer cache */
	XH_IOC_CNT_ADDR_WALKED,	    /* addresses looked up in the tries */
	XH_IOC_CNT__MAX,
};

#define XH_NAME_MAX	   256	  /* scratch for a DNS/SNI name as text (<= 253 used) */
#define XH_NAME_SUFFIX_MAX 10	  /* parent domains looked up per name, shortest first */
#define XH_IOCDOM_MAX	   262144 /* xh_iocdom inner map entries (domain hashes) */
#define XH_IOCPORT_MAX	   65536  /* xh_iocport inner map entries (address:port) */

/* An IoC reference, the value of every inner IoC map and of xh_event.ioc_id:
 * bits 0-21 the indicator's index + 1 in its set, bits 22-29 the set's
 * generation (mod 256: userspace keeps the previous generation until events
 * in flight are drained), bit 30 "this address also has address:port
 * indicators", bit 31 "block". 0 = no IoC. */
#define XH_IOC_ID_MASK	 0x003fffffu
#define XH_IOC_GEN_SHIFT 22
#define XH_IOC_GEN_MASK	 0xffu
#define XH_IOC_F_PORT	 0x40000000u
#define XH_IOC_F_BLOCK	 0x80000000u

/* Key of the xh_iocport inner hash: a host address and a port (network order). */
struct xh_iocport_key {
	__be32 addr[4];
	__be16 port;
	__u8 family;
	__u8 pad;
};
_Static_assert(sizeof(struct xh_iocport_key) == 20, "xh_iocport_key ABI");

/* Event detail of ioc.dns / ioc.tls_sni (detail kind XH_DETAIL_IOC_NAME):
 * the name is in xh_event.name, as text with the case seen on the wire. */
struct xh_ioc_detail {
	__u64 hash;	/* suffix hash that matched (see bpf/name.h) */
	__u16 name_off; /* offset in name[] of the matched suffix */
	__u16 qtype;	/* DNS QTYPE (host order), 0 for TLS */
	__u8 transport; /* IPPROTO_UDP or IPPROTO_TCP */
	__u8 tls_flags; /* XH_TLS_F_*, ioc.tls_sni only */
	__u8 pad[2];
};
/* The ClientHello's ALPN offers HTTP (h2, http/1.1...): a web protocol on
 * whatever port (bpf/tls.h, xh_tls_alpn_http()). */
#define XH_TLS_F_ALPN_HTTP 0x01

/* ---- SMB deep inspection (bpf/smb.h, bpf/smb.bpf.h): what was seen and
 * why a message or name was not used. Names in user/smb.c. */
enum xh_smb_cnt {
	XH_SMB_CNT_SEGMENTS = 0,   /* TCP segments with payload on an SMB flow */
	XH_SMB_CNT_NB_SESSION_REQ, /* NetBIOS session requests (0x81) */
	XH_SMB_CNT_NB_OTHER,	   /* NetBIOS control messages (0x82-0x85) */
	XH_SMB_CNT_NO_MSG_START,   /* segment does not start an SMB message (no reassembly) */
	XH_SMB_CNT_NB_NO_REQUEST,  /* port 139 message before any session request */
	XH_SMB_CNT_NB_BAD_LEN,	   /* NetBIOS length too small for an SMB header */
	XH_SMB_CNT_NB_MULTI,	   /* further NetBIOS messages in one segment */
	XH_SMB_CNT_NB_LIMIT,	   /* more NetBIOS messages in a segment than inspected */
	XH_SMB_CNT_SMB1,	   /* SMB1 messages */
	XH_SMB_CNT_SMB2,	   /* SMB2/3 messages (compound members included) */
	XH_SMB_CNT_TRANSFORM,	   /* SMB3 transform (encrypted) messages */
	XH_SMB_CNT_COMPRESSED,	   /* SMB3 compressed messages */
	XH_SMB_CNT_HDR_TRUNC,	   /* SMB header or command body cut short by the segment */
	XH_SMB_CNT_HDR_BAD,	   /* SMB2 StructureSize != 64, or body StructureSize wrong */
	XH_SMB_CNT_CHAIN_BAD, /* NextCommand/AndXOffset backwards, unaligned or past the message */
	XH_SMB_CNT_CHAIN_LIMIT,		/* compound longer than inspected */
	XH_SMB_CNT_NAME_OOB,		/* name offset/length outside the NetBIOS message */
	XH_SMB_CNT_NAME_CUT,		/* name continues in a later TCP segment */
	XH_SMB_CNT_NAME_ODD,		/* odd UTF-16 byte length */
	XH_SMB_CNT_NAME_EMPTY,		/* zero-length name */
	XH_SMB_CNT_NAME_LONG,		/* name longer than XH_EVENT_NAME_MAX bytes */
	XH_SMB_CNT_NAME_BAD,		/* unpaired surrogate, NUL or control character */
	XH_SMB_CNT_TC_EXTENSION,	/* SMB 3.1.1 tree connect with extension: path not read */
	XH_SMB_CNT_TREE_CONNECT,	/* tree connect requests parsed */
	XH_SMB_CNT_TREE_TRACKED,	/* tree connect responses that gave an IPC$/admin TreeId */
	XH_SMB_CNT_TREE_EVICTED,	/* pending tree connect overwritten (> 4 in flight) */
	XH_SMB_CNT_CREATE,		/* CREATE / NT_CREATE_ANDX requests parsed */
	XH_SMB_CNT_CREATE_UNKNOWN_TREE, /* CREATE on a tree whose connect was not seen */
	XH_SMB_CNT_WRITE_ADMIN,		/* WRITE requests on an admin-share tree */
	XH_SMB_CNT_STATE_ERR,		/* xh_smb map or scratch lookup/update failed */
	XH_SMB_CNT_LOAD_ERR,		/* bpf_xdp_load_bytes() failed */
	XH_SMB_CNT_FILE_PENDING,  /* pipe, admin-share or executable CREATEs awaiting a FileId */
	XH_SMB_CNT_FILE_TRACKED,  /* ... whose response gave the FileId (xh_smb_files) */
	XH_SMB_CNT_FILE_FAILED,	  /* ... answered with an error: nothing tracked */
	XH_SMB_CNT_WRITE_TRACKED, /* WRITEs to a tracked executable (smb.tool_transfer) */
	XH_SMB_CNT_WRONG_SIDE, /* request from the server or answer from the client: not acted on */
	XH_SMB_CNT_READ_ADMIN, /* READ requests on an admin-share tree */
	XH_SMB_CNT_QUERY_DIR_ADMIN, /* QUERY_DIRECTORY requests on an admin-share tree */
	XH_SMB_CNT_CLOSE_TRACKED,   /* CLOSEs that ended a tracked open (xh_smb_files) */
	XH_SMB_CNT_WRITE_PE,	    /* WRITEs of a PE image at a file's start, under any name */
	XH_SMB_CNT_EXPLOIT,	    /* SMB1 requests of MS17-010 tooling (smb.exploit) */
	XH_SMB_CNT_LOGON_FAILED,    /* session setups answered with a logon failure */
	XH_SMB_CNT_NTLM_AUTH,	    /* session setup requests with an NTLMSSP AUTHENTICATE */
	XH_SMB_CNT_LEGACY_LOGON,    /* SMB1 session setups naming AccountName (no NTLMSSP) */
	XH_SMB_CNT__MAX,
};

/* ---- counters: one per-CPU struct, indexed by these enums ---------------- */
enum xh_counter {
	XH_CNT_PACKETS = 0, /* every packet the program saw */
	XH_CNT_BYTES,	    /* their bytes (frame length) */
	XH_CNT_NON_IP,	    /* Ethernet frames that are neither IPv4 nor IPv6 (ARP, LLDP...) */
	XH_CNT_IPV4,
	XH_CNT_IPV6,
	XH_CNT_VLAN,	 /* frames with at least one VLAN tag */
	XH_CNT_FRAGMENT, /* IP fragments after the first, and first ones too short for their L4
			    header: no ports */
	XH_CNT_TCP,
	XH_CNT_UDP,
	XH_CNT_ICMP,	    /* ICMP and ICMPv6 */
	XH_CNT_L4_OTHER,    /* any other IP protocol, or ESP/no-next-header */
	XH_CNT_PARSE_ERR,   /* sum of perr[] */
	XH_CNT_FLOWS_NEW,   /* flow entries created */
	XH_CNT_FLOW_ERR,    /* flow map update or lookup failed */
	XH_CNT_EVENTS,	    /* events submitted to xh_events */
	XH_CNT_EVENTS_LOST, /* events dropped because xh_events was full */
	XH_CNT_WAKEUPS,	    /* consumer woken because the buffer passed the watermark */
	XH_CNT_MAP_ERR,	    /* a lookup of an always-present map entry failed */
	XH_CNT_ICMP_QUOTED, /* ICMP errors counted to the flow whose packet they quote */
	/* ICMP port unreachables quoting a UDP datagram, which scan.port_scan
	 * counts as the datagram's probe */
	XH_CNT_UDP_UNREACHABLE,
	XH_CNT__MAX,
};

/* Remote services (bpf/remote.bpf.h): RDP and SSH openings on any TCP port.
 * Names in user/remote.c (`xdphunt stats`: remote). */
enum xh_remote_cnt {
	XH_REMOTE_CNT_RDP_REQUEST = 0, /* X.224 connection requests (TPKT, CR) */
	XH_REMOTE_CNT_SSH_CLIENT,      /* SSH identification strings of clients */
	XH_REMOTE_CNT_SSH_SERVER,      /* ... of servers: counted, not reported */
	XH_REMOTE_CNT_SSH_BAD,	       /* "SSH-" lines that are no identification string */
	XH_REMOTE_CNT_CUT,	       /* request or line longer than the bytes carried */
	XH_REMOTE_CNT_LOAD_ERR,	       /* bpf_xdp_load_bytes() failed */
	XH_REMOTE_CNT__MAX,
};

/* Kerberos (bpf/kerberos.bpf.h): the KRB-ERRORs read in KDC answers (UDP or
 * TCP port 88), and the failed logons among them that kerberos.brute_force
 * counts. Names in user/sweep.c (`xdphunt stats`: kerberos). */
enum xh_krb_cnt {
	XH_KRB_CNT_ERROR = 0,	      /* KRB-ERRORs whose error code was read */
	XH_KRB_CNT_PREAUTH_FAILED,    /* ... KDC_ERR_PREAUTH_FAILED: a wrong password */
	XH_KRB_CNT_CLIENT_REVOKED,    /* ... KDC_ERR_CLIENT_REVOKED: locked out, disabled */
	XH_KRB_CNT_PRINCIPAL_UNKNOWN, /* ... KDC_ERR_C_PRINCIPAL_UNKNOWN: no such account */
	XH_KRB_CNT_AS_REQ,	      /* AS-REQs (to port 88) whose account (cname) was read */
	XH_KRB_CNT_FAILURE_NAMED,     /* failed logons whose AS-REQ's account was read */
	XH_KRB_CNT_NO_PREAUTH,	      /* ... of those AS-REQs, without pre-authentication */
	XH_KRB_CNT_AS_REP,	      /* AS-REPs (TGTs issued) read */
	XH_KRB_CNT_TGS_REP,	      /* TGS-REPs whose ticket's etype was read */
	XH_KRB_CNT_WEAK_TICKET,	      /* ... a service's ticket in RC4 or DES */
	XH_KRB_CNT_TGS_REQ,	      /* TGS-REQs whose preferred etype was read */
	XH_KRB_CNT_WEAK_REQUEST,      /* ... RC4 or DES */
	XH_KRB_CNT_TGS_REQ_SPLIT,     /* TGS-REQs whose req-body went on in a later segment */
	XH_KRB_CNT_TGS_REQ_UNREAD,    /* TGS-REQs whose etypes were not read (a segment lost,
					 malformed) */
	XH_KRB_CNT__MAX,
};

/* DCE/RPC inspection (bpf/dcerpc*.h): what was seen, and every reason a PDU
 * was not used. Names in user/dcerpc.c (`xdphunt stats`: dcerpc_*). */
enum xh_rpc_cnt {
	XH_RPC_CNT_PDU = 0,	  /* connection-oriented PDUs that passed the header check */
	XH_RPC_CNT_BIND,	  /* BIND PDUs */
	XH_RPC_CNT_ALTER,	  /* ALTER_CONTEXT PDUs */
	XH_RPC_CNT_BIND_ACK,	  /* BIND_ACK PDUs */
	XH_RPC_CNT_REQUEST,	  /* REQUEST first fragments (new calls) */
	XH_RPC_CNT_REQ_FRAG,	  /* REQUEST later fragments: not new calls */
	XH_RPC_CNT_RESPONSE,	  /* RESPONSE PDUs looked at (ept_map answers) */
	XH_RPC_CNT_OTHER_TYPE,	  /* valid CO types not inspected (fault, auth3, ...) */
	XH_RPC_CNT_CTX,		  /* presentation contexts parsed */
	XH_RPC_CNT_CTX_LISTED,	  /* ... whose interface is in the table */
	XH_RPC_CNT_CALL_LISTED,	  /* requests whose (interface, opnum) is in the table */
	XH_RPC_CNT_CALL_NOCTX,	  /* requests on a context id never bound on this flow */
	XH_RPC_CNT_EPM_LEARNED,	  /* endpoints learned from ept_map responses */
	XH_RPC_CNT_EP_HIT,	  /* PDUs accepted on a learned endpoint only */
	XH_RPC_CNT_SMB_PDU,	  /* PDUs found inside SMB WRITE/IOCTL/TRANSACTION */
	XH_RPC_CNT_E_TRUNC,	  /* header or body cut short by the segment */
	XH_RPC_CNT_E_VERSION,	  /* starts with 05 but version/minor is not 5.0/5.1 */
	XH_RPC_CNT_E_DREP,	  /* data representation bytes invalid */
	XH_RPC_CNT_E_TYPE,	  /* packet type unknown to connection-oriented RPC */
	XH_RPC_CNT_E_FRAG_LEN,	  /* frag_length below the PDU's minimum */
	XH_RPC_CNT_E_AUTH_LEN,	  /* auth_length does not fit in frag_length */
	XH_RPC_CNT_E_STRICT,	  /* other port: frag_length disagrees with the segment */
	XH_RPC_CNT_E_CTX_ZERO,	  /* BIND with no presentation context */
	XH_RPC_CNT_E_CTX_OVERRUN, /* contexts run past frag_length */
	XH_RPC_CNT_CTX_CUT,	  /* contexts past the segment end (PDU continues): not seen */
	XH_RPC_CNT_CTX_MANY,	  /* more than XH_RPC_MAX_CTX contexts: the rest not seen */
	XH_RPC_CNT_E_XFER_ZERO,	  /* a context with n_transfer_syn 0 */
	XH_RPC_CNT_E_XFER_HUGE,	  /* a context with n_transfer_syn > XH_RPC_MAX_XFER */
	XH_RPC_CNT_E_EPM,	  /* ept_map response without a TCP/IP tower */
	XH_RPC_CNT_E_SMB,	  /* SMB header or WRITE/IOCTL body malformed */
	XH_RPC_CNT_MAP_ERR,	  /* a context/endpoint map update failed */
	XH_RPC_CNT_PIPE_NAMED,	  /* hits over SMB named by the pipe's CREATE (xh_smb_files) */
	XH_RPC_CNT_PIPE_UNNAMED,  /* hits over SMB whose pipe open was not seen: "smb" */
	XH_RPC_CNT_DYN_PORT,	  /* ports marked as dynamic endpoints (XH_SVC_RPC_DYN) */
	XH_RPC_CNT_DYN_CLEARED,	  /* ... and unmarked, idle (xh_cfg_rpc_dyn_idle_s) */
	XH_RPC_CNT_EPM_FLOW,	  /* flows made by a SYN to an endpoint ept_map named */
	XH_RPC_CNT_ZEROLOGON,	  /* netlogon requests with Zerologon's zero credential */
	XH_RPC_CNT_NTLM_AUTH,	  /* AUTH3/ALTER_CONTEXT/BIND with an NTLMSSP AUTHENTICATE (TCP) */
	XH_RPC_CNT__MAX,
};

/* Value of the single entry of the per-CPU array xh_counters: one lookup per
 * packet reaches every counter. Userspace sums the CPUs. */
struct xh_stats {
	__u64 cnt[XH_CNT__MAX];
	__u64 perr[XH_PERR__MAX];
	__u64 class_pkts[XH_CLASS__MAX];
	__u64 class_bytes[XH_CLASS__MAX];
	__u64 ioc[XH_IOC_CNT__MAX]; /* enum xh_ioc_cnt; names in user/ioc_event.c */
	__u64 dcerpc[XH_RPC_CNT__MAX];
	__u64 smb[XH_SMB_CNT__MAX];	  /* enum xh_smb_cnt */
	__u64 remote[XH_REMOTE_CNT__MAX]; /* enum xh_remote_cnt */
	__u64 krb[XH_KRB_CNT__MAX];	  /* enum xh_krb_cnt */
};

/* ---- IoC LPM keys (xh_ioc4 / xh_ioc6); value is a __u32 IoC id (0 = none) */
struct xh_lpm4_key {
	__u32 prefixlen;
	__be32 addr;
};

struct xh_lpm6_key {
	__u32 prefixlen;
	__u8 addr[16];
};

/* ---- flows ------------------------------------------------------------- */
/* Canonical 5-tuple: the lower (address, port) endpoint is s*, so both
 * directions of a connection share one key. IPv4 addresses use saddr[0]
 * and daddr[0], the rest is zero. For ICMP, sport/dport hold type/code. */
struct xh_flow_key {
	__be32 saddr[4];
	__be32 daddr[4];
	__be16 sport;
	__be16 dport;
	__u8 proto;
	__u8 family; /* XH_AF_INET or XH_AF_INET6 */
	__u8 pad[2];
};
_Static_assert(sizeof(struct xh_flow_key) == 40, "xh_flow_key ABI");

/* Which endpoint of the canonical key started the flow (the client). */
enum xh_initiator {
	XH_INIT_SRC = 0, /* key.saddr/sport is the client */
	XH_INIT_DST = 1, /* key.daddr/dport is the client */
};

/* Directions of a flow's counters (xh_flow_state.pkts, .bytes). */
enum xh_dir {
	XH_DIR_TOSERVER = 0, /* sent by the client */
	XH_DIR_TOCLIENT = 1,
};

struct xh_flow_state {
	__u64 first_seen_ns; /* bpf_ktime_get_coarse_ns() of the first packet */
	__u64 last_seen_ns;
	__u64 pkts[2];	/* by enum xh_dir */
	__u64 bytes[2]; /* frame bytes, by enum xh_dir */
	__u64 reported; /* XH_RULE_BIT() of every rule already emitted */
	__u32 ioc_id;	/* IoC id that matched this flow, 0 if none */
	__u8 initiator; /* enum xh_initiator */
	/* enum xh_service of the server port. XH_SVC_RPC_DYN: DCE/RPC on a
	 * dynamic endpoint, a flow made by its bind of a listed interface, so
	 * counted from that segment on (bpf/dcerpc.bpf.h xh_rpc_flow_account()),
	 * or with XH_FLOW_F_EPM by its SYN. */
	__u8 service;
	__u8 flags; /* XH_FLOW_F_* */
	__u8 pad;
	/* This entry's identity, never 0 and never reused (xh_flow_create()):
	 * the 8-byte key of the flow's other state (SMB state, xh_seen), which
	 * hashes in a third of the time of the 40-byte flow key and dies with
	 * the entry: a flow evicted and seen again starts afresh. */
	__u64 id;
};
_Static_assert(sizeof(struct xh_flow_state) == 72, "xh_flow_state ABI");

/* xh_flow_state.flags */
/* Made by its client's SYN to an endpoint that an ept_map answer named for a
 * listed interface (bpf/dcerpc_dyn.bpf.h): counted whole, not from the bind. */
#define XH_FLOW_F_EPM 0x01
/* Made by an rdp.connect or ssh.connect finding on a port xdphunt does not
 * follow (bpf/remote.bpf.h): counted at its finding only. */
#define XH_FLOW_F_RDP 0x02
#define XH_FLOW_F_SSH 0x04

/* ---- events (ring buffer xh_events) ------------------------------------- */
enum xh_action {
	XH_ACTION_PASS = 0,
	XH_ACTION_DROP = 1, /* a block-mode IoC: XDP_DROP */
	XH_ACTION__MAX,
};

/* What the protocol-specific part of an event (xh_event.d and .name) holds.
 * Each deep-inspection module appends its kind and its struct in union
 * xh_event_detail. */
enum xh_detail_kind {
	XH_DETAIL_NONE = 0,
	XH_DETAIL_SMB = 1,	/* d.smb; name[] holds the share, pipe or file name */
	XH_DETAIL_DCERPC = 2,	/* d.dcerpc; name = pipe name (d.dcerpc.name_enc) when known */
	XH_DETAIL_IOC_NAME = 3, /* ioc.dns / ioc.tls_sni: struct xh_ioc_detail + name */
	XH_DETAIL_SWEEP = 4,	/* scan.smb_sweep: struct xh_sweep_detail */
	/* rdp.connect / ssh.connect: struct xh_remote_detail; name[] holds the
	 * payload's first bytes (the X.224 request, the identification line) */
	XH_DETAIL_REMOTE = 5,
	/* kerberos.no_preauth, kerberos.weak_ticket: struct xh_krb_detail;
	 * name[] holds the AS-REP's first bytes (its client's realm and name)
	 * or the TGS-REP's from its crealm (the client, the ticket's service
	 * and etype) */
	XH_DETAIL_KRB = 6,
	XH_DETAIL__MAX,
};

#define XH_EVENT_NAME_MAX 256 /* bytes of a name carried as on the wire */

/* DCE/RPC over TCP or inside SMB (enum xh_rpc_transport). */
enum xh_rpc_transport {
	XH_RPC_TR_TCP = 0,  /* connection-oriented PDU at a TCP payload start */
	XH_RPC_TR_SMB2 = 1, /* inside an SMB2 WRITE or IOCTL FSCTL_PIPE_TRANSCEIVE */
	XH_RPC_TR_SMB1 = 2, /* inside an SMB1 TRANSACTION (TransactNmPipe) or WRITE_ANDX */
	XH_RPC_TR__MAX,
};

/* Detail of dcerpc.bind / dcerpc.call events (XH_DETAIL_DCERPC). */
struct xh_dcerpc_detail {
	__u8 uuid[16];	      /* abstract syntax, little-endian (uuid.bytes_le) form */
	__u8 smb_file_id[16]; /* SMB2 FileId (persistent, volatile) or SMB1 FID; 0 over TCP */
	__u32 call_id;
	__u16 if_index; /* index in the interface table (xh_rpc_ifs) */
	__u16 op_index; /* dcerpc.call: index in the operation table (xh_rpc_ops) */
	__u16 opnum;
	__u16 ctx_id;
	__u16 ver_major; /* interface version as bound on the wire */
	__u16 ver_minor;
	__u8 transport; /* enum xh_rpc_transport */
	__u8 ptype;	/* PDU type: 11 bind, 14 alter_context, 0 request */
	__u8 drep_be;	/* 1: the PDU used big-endian integers */
	__u8 name_enc;	/* enum xh_smb_name_enc of xh_event.name (the pipe name) */
	__u8 flags;	/* XH_DCERPC_F_* */
	/* dcerpc.logon: bytes of the domain, user and workstation in name[]
	 * (as xh_smb_detail.ntlm_len), encoded as name_enc says */
	__u8 ntlm_len[3];
	/* dcerpc.logon: as xh_smb_detail.ntlm_proof */
	__u8 ntlm_proof[8];
};
_Static_assert(sizeof(struct xh_dcerpc_detail) == 64, "xh_dcerpc_detail ABI");

/* dcerpc.call on netlogon: Zerologon's pattern (CVE-2020-1472) in an
 * unauthenticated request, NetrServerAuthenticate2/3 with a zero
 * ClientCredential or NetrServerPasswordSet2 with a zero Authenticator and
 * new password (bpf/dcerpc.bpf.h, xh_rpc_zerologon()). */
#define XH_DCERPC_F_ZERO_CRED 0x01
/* dcerpc.call on netlogon: the XH_NRPC_AUTH_TRIES-th NetrServerAuthenticate2
 * or 3 on one context. A member authenticates its secure channel once per
 * connection; Zerologon tries some 256 times, and mimikatz's
 * lsadump::zerologon does it on one sealed connection, where the zero
 * credential cannot be read. */
#define XH_DCERPC_F_AUTH_TRIES 0x02
#define XH_NRPC_AUTH_TRIES     16
/* dcerpc.logon: a name was cut short or lay past the segment (as
 * XH_SMB_F_NTLM_CUT). */
#define XH_DCERPC_F_NTLM_CUT 0x04

/* Encoding of xh_event.name for SMB: SMB2 and Unicode SMB1 send UTF-16LE,
 * SMB1 without the Unicode flag sends OEM bytes (ASCII accepted). */
enum xh_smb_name_enc {
	XH_SMB_ENC_NONE = 0,
	XH_SMB_ENC_UTF16LE = 1,
	XH_SMB_ENC_ASCII = 2,
};

/* What a tracked tree is (value of the share table for a share name). */
enum xh_smb_share_kind {
	XH_SMB_SHARE_NONE = 0,
	XH_SMB_SHARE_ADMIN = 1, /* ADMIN$, C$, any X$ */
	XH_SMB_SHARE_IPC = 2,	/* IPC$ */
	XH_SMB_SHARE_DISK = 3,	/* any other share (no table entry names it) */
	XH_SMB_SHARE__MAX,
};

#define XH_SMB_F_TREE_KNOWN    0x01 /* tree_id is meaningful */
#define XH_SMB_F_SESSION_KNOWN 0x02 /* session_id is meaningful */
/* smb.tool_transfer: the NTFS stream name's extension is an executable one
 * (notes.txt:payload.exe), whatever the file name's. */
#define XH_SMB_F_STREAM_EXE 0x04
/* smb.admin_read / smb.admin_listing: the open's CREATE was not seen (or its
 * entry was evicted), so the hit has no file or directory name. */
#define XH_SMB_F_NO_NAME 0x08
/* smb.tool_transfer: the data written at the file's start are a PE image's
 * ("MZ", and "PE\0\0" where e_lfanew points), whatever the name says. */
#define XH_SMB_F_EXE_CONTENT 0x10
/* smb.logon: a name was longer than its slot, or lay past the segment, and
 * is cut short (or empty). */
#define XH_SMB_F_NTLM_CUT 0x20
/* smb.logon: where the domain, user and workstation sit in xh_event.name
 * (64, 128 and 64 bytes: 32, 64 and 32 UTF-16 code units). */
#define XH_SMB_NTLM_DOMAIN_SLOT 0
#define XH_SMB_NTLM_USER_SLOT	64
#define XH_SMB_NTLM_HOST_SLOT	192
#define XH_SMB_NTLM_SLOT_END	256
/* Bytes of an NTLM logon's NT response an event carries (ntlm_proof) */
#define XH_NTLM_PROOF_LEN 8

/* smb.exploit: which request (xh_smb_detail.exploit, and the finding's
 * value: one event per flow and kind). */
enum xh_smb_exploit {
	XH_SMB_EXPLOIT_NONE = 0,
	/* TRANSACTION PeekNamedPipe on FID 0: the MS17-010 check */
	XH_SMB_EXPLOIT_MS17_010_CHECK = 1,
	/* TRANSACTION2 SESSION_SETUP: DoublePulsar's ping or payload */
	XH_SMB_EXPLOIT_DOUBLEPULSAR = 2,
	/* the server's answer to the check: STATUS_INSUFF_SERVER_RESOURCES,
	 * an unpatched server (MS17-010 missing) */
	XH_SMB_EXPLOIT_MS17_010_VULNERABLE = 3,
	/* the answer to the ping with its MID plus 16: DoublePulsar answers
	 * so (countercept's detection script and nmap's read 65 -> 81); the
	 * host is implanted */
	XH_SMB_EXPLOIT_DOUBLEPULSAR_IMPLANT = 4,
	/* a TRANSACTION2_SECONDARY that continues an NT_TRANSACT (same MID):
	 * EternalBlue sends its FEA list so, past 64 KiB, into the server's
	 * TRANS2 code (the type confusion at the heart of MS17-010) */
	XH_SMB_EXPLOIT_ETERNALBLUE = 5,
};

/* Detail of an SMB hit (detail_kind XH_DETAIL_SMB). */
struct xh_smb_detail {
	__u64 session_id; /* SMB2 SessionId, SMB1 UID */
	__u64 message_id; /* SMB2 MessageId, SMB1 MID */
	__u32 tree_id;	  /* SMB2 TreeId, SMB1 TID */
	__u32 access;	  /* CREATE DesiredAccess */
	__u16 command;	  /* SMB2 command, or SMB1 command (version 1) */
	__u16 dialect;	  /* negotiated SMB2 dialect (0x0311...), 0 if not seen */
	__u8 version;	  /* 1: SMB1, 2: SMB2 header, 3: SMB3 transform/compressed */
	__u8 name_enc;	  /* enum xh_smb_name_enc */
	__u8 share_kind;  /* enum xh_smb_share_kind of the tree or path */
	__u8 flags;	  /* XH_SMB_F_* */
	__u16 pipe_id;	  /* 1-based entry of the pipe table, 0: not in it */
	__u8 exploit;	  /* smb.exploit: enum xh_smb_exploit */
	/* smb.logon: bytes of the domain, user and workstation (enum
	 * xh_ntlm_field) in name[], at XH_SMB_NTLM_*_SLOT */
	__u8 ntlm_len[3];
	__u8 pad[2];
	/* smb.logon: the first XH_NTLM_PROOF_LEN bytes of the NT response
	 * (NTLMv2's NTProofStr, an HMAC of the server's challenge), all 0
	 * when it has none: the same on two flows is one logon relayed
	 * (user/accounts.c) */
	__u8 ntlm_proof[8];
	__u8 pad2[16];
};
_Static_assert(__builtin_offsetof(struct xh_smb_detail, ntlm_proof) == 40, "ntlm_proof aligned");
_Static_assert(sizeof(struct xh_smb_detail) == 64, "xh_smb_detail ABI");

/* Detail of scan.smb_sweep (XH_DETAIL_SWEEP): the source sent SYNs to
 * @distinct SMB servers within @window_s seconds (bpf/sweep.bpf.h); of
 * scan.service_sweep, to @distinct hosts on the event's destination port; of
 * smb.brute_force, the same struct: @distinct session setups of the client
 * were answered with a logon failure within @window_s seconds; of
 * scan.port_scan: the source sent SYNs to @distinct TCP ports of the
 * destination within @window_s seconds. */
struct xh_sweep_detail {
	__u32 distinct;	 /* distinct destinations counted when the event was made */
	__u32 threshold; /* xh_cfg_sweep_threshold */
	__u32 window_s;	 /* xh_cfg_sweep_window_ns, in seconds */
	/* kerberos.brute_force: the distinct accounts its failures named
	 * (0: none read) */
	__u32 accounts;
	/* scan.*: the TCP flags of the probe that reached the threshold (a
	 * SYN, or a stealth scan's FIN, NULL or Xmas); 0 for a UDP scan's */
	__u8 tcp_flags;
	/* scan.port_scan over UDP: 1 when the probe that reached the threshold
	 * was counted from the target's ICMP port unreachable (a datagram with
	 * a payload), 0 for an empty datagram */
	__u8 unreachable;
	__u8 pad[46];
};
_Static_assert(sizeof(struct xh_sweep_detail) == 64, "xh_sweep_detail ABI");

/* scan.smb_sweep and scan.service_sweep state (bpf/sweep.bpf.h): per
 * source and port, and per (source, destination) pair and port so that a
 * destination counts once per window. The port is 0 for SMB's ports (one
 * sweep over 445 and 139), for smb.brute_force and for scan.port_scan's
 * pairs. */
struct xh_sweep_src_key {
	__be32 addr[4];
	__u8 family;
	__u8 pad;
	__be16 port;
};

struct xh_sweep_src {
	__u64 window_start_ns;
	__u32 distinct;
	/* kerberos.brute_force: the distinct accounts whose logon failed in
	 * the window (xh_krb_accts); 0 elsewhere */
	__u32 accounts;
};

/* kerberos.brute_force (bpf/kerberos.bpf.h): an account of a client, by the
 * hash of its AS-REQ's cname (FNV-1a of the first name component, ASCII
 * letters in lower case, at most XH_KRB_NAME_MAX bytes; never 0). */
struct xh_krb_acct_key {
	__be32 addr[4];
	__u8 family;
	__u8 pad[3];
	__u32 name_hash;
};

#define XH_KRB_NAME_MAX 64
/* What xh_krb_req keeps of a flow's last AS-REQ for the KDC's answer. */
struct xh_krb_req {
	__u32 name_hash; /* its account (struct xh_krb_acct_key) */
	__u32 flags;	 /* XH_KRB_REQ_F_* */
	/* the first (preferred) etype of the flow's last TGS-REQ whose list
	 * was read (XH_KRB_REQ_F_TGS_REQ), for the TGS-REP's hit */
	__s32 req_etype;
};
/* The AS-REQ carried no pre-authentication (PA-ENC-TIMESTAMP, PKINIT, FAST
 * or an encrypted challenge) */
#define XH_KRB_REQ_F_NO_PREAUTH 0x1
/* kerberos.weak_ticket was reported on the flow (once per flow) */
#define XH_KRB_REQ_F_WEAK_TICKET 0x2
/* kerberos.weak_request was reported on the flow (once per flow) */
#define XH_KRB_REQ_F_WEAK_REQUEST 0x4
/* req_etype holds a TGS-REQ's preferred etype */
#define XH_KRB_REQ_F_TGS_REQ 0x8

/* The bytes of a TGS-REQ's req-body read, from its start: its etype list
 * follows kdc-options, realm, sname, till and nonce (and from, rtime), some
 * 120 bytes with a long service name. */
#define XH_KRB_BODY_WIN 256
/* A TGS-REQ whose req-body goes on past its segment (xh_krb_pend, by flow):
 * a TGT with a PAC makes the message longer than one segment, and the
 * req-body follows it. */
struct xh_krb_pend {
	__u32 seq;     /* TCP sequence number of the next byte wanted */
	__u32 msg_len; /* the message's length, from its record mark */
	__u16 from;    /* the req-body's offset in the message */
	__u16 have;    /* bytes of the req-body in buf */
	__u8 segs;     /* later segments read */
	__u8 pad[3];
	__u8 buf[XH_KRB_BODY_WIN];
};
#define XH_KRB_PEND_MAX 1024
/* Segments a req-body is followed over: a TGT of tens of kilobytes (a PAC
 * with thousands of groups) is given up, and counted. */
#define XH_KRB_PEND_SEGS 40

/* Kerberos requests whose account is kept for the KDC's answer, by flow;
 * and (client, account) pairs whose failure was counted. */
#define XH_KRB_REQ_MAX	8192
#define XH_KRB_ACCT_MAX 8192

struct xh_sweep_pair_key {
	__be32 saddr[4];
	__be32 daddr[4];
	__u8 family;
	__u8 proto; /* IPPROTO_TCP, or IPPROTO_UDP: a UDP scan is its own */
	__be16 port;
};

#define XH_SWEEP_SRC_MAX  4096
#define XH_BRUTE_SRC_MAX  4096
#define XH_SWEEP_PAIR_MAX 16384

/* scan.service_sweep's ports: a bit per TCP port, in 64-bit words. */
#define XH_SVCSWEEP_PORT_WORDS (65536 / 64)

/* scan.port_scan state (bpf/sweep.bpf.h): per (source, destination) pair
 * and protocol a window (key struct xh_sweep_pair_key, value struct
 * xh_sweep_src), and per pair, protocol and destination port when it was
 * last counted, so that a port counts once per window. TCP's ports and
 * UDP's are two scans, as nmap's -sS and -sU are. */
struct xh_scan_port_key {
	__be32 saddr[4];
	__be32 daddr[4];
	__be16 dport;
	__u8 family;
	__u8 proto;
};

/* Pairs watched at once, and their ports: an nmap scan of its top 1000
 * ports fills the port map's entries of 16 hosts; the LRU forgets the
 * oldest, which can only count a scanner's port twice. */
#define XH_SCAN_PAIR_MAX 4096
#define XH_SCAN_PORT_MAX 16384

/* The scans' first look (bpf/sweep.bpf.h, xh_scan_syn()): a slot per hash
 * of its owner holds the owner's first SYN, so that the owner goes to the
 * LRU maps above only at its second port (scan.port_scan, owned by a pair)
 * or its second destination (the sweeps, owned by a source and port). */
struct xh_scan_first {
	__be32 saddr[4];
	__be32 daddr[4]; /* a scan's pair's; a sweep's first destination */
	__u64 time_ns;	 /* its first SYN; escalated, its last SYN */
	__be16 dport;	 /* a scan's first port, while not escalated */
	__u8 family;	 /* 0: an empty slot */
	__u8 escalated;	 /* the owner is counted in the LRU maps */
	__u8 proto;	 /* IPPROTO_TCP or IPPROTO_UDP */
	__u8 pad[3];
	/* The last counted SYN of any owner here (0: none): an owner this
	 * slot was taken from is counted in the LRU maps only within a
	 * window of it, so a flood's SYN skips that lookup. */
	__u64 counted_ns;
};

#define XH_SCAN_FIRST_SLOTS 32768 /* a power of two */

/* Detail of rdp.connect and ssh.connect (XH_DETAIL_REMOTE). name[] holds
 * the first @name_len bytes of the TCP payload: the whole X.224 request, or
 * the identification line up to its LF. Userspace reads the cookie and the
 * requested protocols, or the versions, from them (user/remote.c). */
struct xh_remote_detail {
	__u32 payload_len; /* bytes of the segment's payload */
	__u16 line_len;	   /* ssh.connect: bytes of the line before CR LF (or LF) */
	__u8 flags;	   /* XH_REMOTE_F_* */
	__u8 pad[57];
};
_Static_assert(sizeof(struct xh_remote_detail) == 64, "xh_remote_detail ABI");
/* The payload was longer than name[]: the request is cut (its end not carried). */
#define XH_REMOTE_F_CUT 0x01

/* Detail of kerberos.no_preauth, kerberos.weak_ticket and
 * kerberos.weak_request (XH_DETAIL_KRB). name[] holds @name_len bytes of
 * the message from its byte @from (past a TCP record mark): the AS-REP's
 * first (from 0), the TGS-REP's from its crealm, past the padata, which a
 * client's FAST makes longer than name[], or the TGS-REQ's req-body, past
 * the padata that carries the TGT; userspace reads the names from them
 * (user/kerberos.c). */
struct xh_krb_detail {
	__u32 msg_len; /* bytes of the message (the record mark's, or the datagram's) */
	__u16 from;    /* the offset in the message of name[]'s first byte */
	__u8 msg_type; /* 11 AS-REP, 12 TGS-REQ, 13 TGS-REP (RFC 4120 7.5.7) */
	/* kerberos.weak_ticket: the ticket's encryption type;
	 * kerberos.weak_request: the request's first (preferred) */
	__u8 etype;
	/* kerberos.weak_ticket, when req_seen: the first etype the flow's
	 * TGS-REQ listed (an AES one: an honest client the KDC answered in
	 * RC4) */
	__s32 req_etype;
	__u8 req_seen;
	__u8 pad[51];
};
_Static_assert(sizeof(struct xh_krb_detail) == 64, "xh_krb_detail ABI");

union xh_event_detail {
	__u8 raw[64];
	struct xh_krb_detail krb;
	struct xh_remote_detail remote;
	struct xh_sweep_detail sweep;
	struct xh_smb_detail smb;
	struct xh_ioc_detail ioc;
	struct xh_dcerpc_detail dcerpc;
};

/* One finding on one flow. Addresses are oriented client -> server. */
struct xh_event {
	__u64 ts_ns; /* bpf_ktime_get_ns(); replay replaces it with the capture time */
	__be32 saddr[4];
	__be32 daddr[4];
	__be16 sport;
	__be16 dport;
	__u8 proto;
	__u8 family;
	__u8 rule;		  /* enum xh_rule */
	__u8 action;		  /* enum xh_action */
	__u32 ifindex;		  /* ingress interface */
	__u32 ioc_id;		  /* for ioc.* rules: the IoC id from the LPM trie */
	__u16 vlan[XH_MAX_VLANS]; /* VLAN ids, outer first */
	__u8 vlan_count;
	__u8 eflags; /* XH_EVENT_F_* */
	__u8 pad[2];
	__u64 flow_packets; /* flow totals when the event was made */
	__u64 flow_bytes;
	__u8 detail_kind; /* enum xh_detail_kind */
	__u8 pad2;
	__u16 name_len; /* bytes of name[] used */
	__u32 pad3;
	union xh_event_detail d;
	__u8 name[XH_EVENT_NAME_MAX]; /* share, pipe, file or domain name, raw */
};
_Static_assert(sizeof(struct xh_event) == 408, "xh_event ABI");
/* xh_event.eflags */
/* The packet that made the finding had no readable ports (an IP fragment
 * after the first, or a first fragment cut before them): its flow's ports,
 * 0, are none of the wire's, and ICMP's type and code are unknown. */
#define XH_EVENT_F_NO_PORTS 0x01
/* Events without a name end before name[]: a ring-buffer record is then
 * 160 bytes with its header instead of 416, so the default buffer holds
 * 2.6x as many connect / ioc.dest / sweep findings in a burst. A record is
 * XH_EVENT_SHORT_SIZE or XH_EVENT_NAMED_SIZE bytes; userspace accepts
 * any size from XH_EVENT_SHORT_SIZE that covers name_len bytes of name[]. */
#define XH_EVENT_SHORT_SIZE 152u
#define XH_EVENT_NAMED_SIZE ((__u32)sizeof(struct xh_event))
_Static_assert(XH_EVENT_SHORT_SIZE == __builtin_offsetof(struct xh_event, name),
	       "XH_EVENT_SHORT_SIZE is where name[] starts");

/* The record size xdphunt writes for an event of @e's detail kind (what the
 * tests hold bpf/emit.bpf.h's callers to). */
static inline __u32 xh_event_record_size(const struct xh_event *e)
{
	return e->detail_kind == XH_DETAIL_SMB || e->detail_kind == XH_DETAIL_DCERPC ||
			       e->detail_kind == XH_DETAIL_IOC_NAME ||
			       e->detail_kind == XH_DETAIL_REMOTE || e->detail_kind == XH_DETAIL_KRB
		       ? XH_EVENT_NAMED_SIZE
		       : XH_EVENT_SHORT_SIZE;
}

/* Key of xh_seen: a finding with a value (a pipe name, an interface) on a
 * flow (xh_flow_state.id). @value is a hash or index chosen by the rule; 0 is
 * never used (rules without a value use xh_flow_state.reported instead). */
struct xh_seen_key {
	__u64 flow_id;
	__u32 rule;
	__u32 value;
};
_Static_assert(sizeof(struct xh_seen_key) == 16, "xh_seen_key ABI");

/* ---- DCE/RPC tables, filled by user/dcerpc.c before arming ------------- */
#define XH_RPC_IFS_MAX 1024		/* xh_rpc_ifs: interfaces */
#define XH_RPC_OPS_MAX 8192		/* xh_rpc_ops: (interface, opnum) operations */
#define XH_RPC_CTX_MAX XH_FLOWS_DEFAULT /* xh_rpc_ctx: (flow, pipe, context id) -> interface */
#define XH_RPC_EPS_MAX 16384		/* xh_rpc_eps: endpoints learned from ept_map */

/* xh_rpc_ifs key: the abstract syntax UUID in little-endian (bytes_le) form,
 * as a little-endian BIND carries it. */
struct xh_rpc_if_key {
	__u8 uuid[16];
};

#define XH_RPC_IF_F_EPM	     0x1 /* the endpoint mapper: learn ports from ept_map answers */
#define XH_RPC_IF_F_NOHIT    0x2 /* tracked only (not in the user's table): no hit */
#define XH_RPC_IF_F_NETLOGON 0x4 /* MS-NRPC: requests checked for Zerologon */

struct xh_rpc_if_val {
	__u16 index; /* interface index (user/dcerpc.c table order) */
	__u16 ver_major;
	__u16 ver_minor;
	__u16 flags; /* XH_RPC_IF_F_* */
};

/* xh_rpc_ops key; the value is a __u32 operation index. */
struct xh_rpc_op_key {
	__u16 if_index;
	__u16 opnum;
};

/* xh_rpc_eps key: a TCP endpoint an ept_map response named; the value is a
 * __u32 interface index (XH_RPC_IF_UNKNOWN when the tower's interface is not
 * listed). */
#define XH_RPC_IF_UNKNOWN 0xffff
struct xh_rpc_ep_key {
	__be32 addr[4];
	__be16 port;
	__u8 family;
	__u8 pad;
};
_Static_assert(sizeof(struct xh_rpc_ep_key) == 20, "xh_rpc_ep_key ABI");

/* ---- SMB tables (xh_smb_names), filled by userspace from the rules ------ */
enum xh_smb_tbl {
	XH_SMB_TBL_SHARE = 1,	    /* last path component of a tree connect -> share kind */
	XH_SMB_TBL_SHARE_DRIVE = 2, /* hash 0: the kind of any drive-letter share "X$" */
	XH_SMB_TBL_PIPE = 3,	    /* pipe name (leading '\\' stripped) -> pipe table entry */
	XH_SMB_TBL_EXT = 4,	    /* file extension after the last '.' -> 1 */
};

/* Hash as bpf/smb.h computes it (FNV-1a of the ASCII-folded code units). */
struct xh_smb_name_key {
	__u32 hash;
	__u32 kind; /* enum xh_smb_tbl */
};

struct xh_smb_name_val {
	__u32 id;	  /* pipe: 1-based entry of the pipe table */
	__u32 share_kind; /* share: enum xh_smb_share_kind */
};
#define XH_SMB_NAMES_MAX 4096

/* Map and program names, as bpftool and `xdphunt stats` see them. */
#define XH_PROG_NAME	"xdphunt"
#define XH_MAP_COUNTERS "xh_counters"
#define XH_MAP_FLOWS	"xh_flows"
#define XH_MAP_BSS	"xdphunt.bss" /* libbpf's name for the program's .bss */

#endif /* XH_ABI_H */
