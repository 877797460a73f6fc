/* SPDX-License-Identifier: GPL-2.0 */
/* cli.h: options shared by `run` and `replay`, and exit codes. */
#ifndef XH_CLI_H
#define XH_CLI_H

#include <getopt.h>
#include "loader.h"

/* Exit codes (documented in README.md and `xdphunt --help`). */
enum xh_exit {
	XH_EXIT_OK = 0,	   /* done (run: stopped by a signal) */
	XH_EXIT_ERROR = 1, /* runtime failure: load, attach, feed, capture, output */
	XH_EXIT_USAGE = 2, /* bad command line */
};

#define CLI_MAX_IOC_FILES    64
#define CLI_MAX_DCERPC_FILES 16
#define CLI_IOC_DIR	     0x1 /* ioc_files[i] is a folder of feeds */
#define CLI_IOC_BLOCK	     0x2 /* its indicators are in block mode */

struct hunt_opts {
	struct loader_opts load;
	const char *ioc_files[CLI_MAX_IOC_FILES];
	uint8_t ioc_flags[CLI_MAX_IOC_FILES]; /* CLI_IOC_* of ioc_files[i] */
	int n_ioc_files;
	int no_default_ioc;	/* --no-default-ioc */
	uint64_t ioc_max_bytes; /* --ioc-max-size; 0 = IOC_MAX_BYTES_DEFAULT */
	const char *dcerpc_files[CLI_MAX_DCERPC_FILES]; /* --dcerpc-table, after the built-in */
	int n_dcerpc_files;
	const char *output; /* "-" = stdout */
	const char *host;   /* NULL = hostname */
	int verbose;
	/* --smb-rules FILE; NULL: the built-in rules */
	const char *smb_rules;
	unsigned int flow_timeout; /* --flow-timeout SECS; 0: no flow records */
};

/* Long options understood by both commands; option values >= 0x100. */
enum cli_opt {
	OPT_IOC = 0x100,
	OPT_HOST,
	OPT_FLOWS,
	OPT_RINGBUF,
	OPT_SMB_PORTS,
	OPT_RPC_PORTS,
	OPT_MODE,
	OPT_JSON,
	OPT_PROMETHEUS,
	OPT_HELP,
	OPT_IOC_DIR,
	OPT_IOC_BLOCK,
	OPT_NO_DEFAULT_IOC,
	OPT_IOC_MAX_SIZE,
	OPT_DCERPC_TABLE,
	OPT_SMB_RULES,
	OPT_FLOW_TIMEOUT,
	OPT_SMB_SWEEP,
	OPT_SMB_BRUTE_FORCE,
	OPT_PORT_SCAN,
	OPT_SERVICE_SWEEP,
	OPT_SERVICE_SWEEP_PORTS,
	OPT_KERBEROS_BRUTE_FORCE,
};

/* --smb-sweep, --smb-brute-force, --port-scan, --service-sweep and
 * --kerberos-brute-force: COUNT/SECS bounds. */
#define CLI_WINDOW_COUNT_MAX 1000000
#define CLI_WINDOW_SECS_MAX  86400

#define CLI_HUNT_LONG_OPTIONS                                                                      \
	{"ioc", required_argument, NULL, OPT_IOC}, {"output", required_argument, NULL, 'o'},       \
		{"ioc-dir", required_argument, NULL, OPT_IOC_DIR},                                 \
		{"ioc-block", required_argument, NULL, OPT_IOC_BLOCK},                             \
		{"no-default-ioc", no_argument, NULL, OPT_NO_DEFAULT_IOC},                         \
		{"ioc-max-size", required_argument, NULL, OPT_IOC_MAX_SIZE},                       \
		{"host", required_argument, NULL, OPT_HOST},                                       \
		{"flows", required_argument, NULL, OPT_FLOWS},                                     \
		{"ringbuf", required_argument, NULL, OPT_RINGBUF},                                 \
		{"smb-ports", required_argument, NULL, OPT_SMB_PORTS},                             \
		{"rpc-ports", required_argument, NULL, OPT_RPC_PORTS},                             \
		{"smb-rules", required_argument, NULL, OPT_SMB_RULES},                             \
		{"verbose", no_argument, NULL, 'v'},                                               \
		{"dcerpc-table", required_argument, NULL, OPT_DCERPC_TABLE},                       \
		{"flow-timeout", required_argument, NULL, OPT_FLOW_TIMEOUT},                       \
		{"smb-sweep", required_argument, NULL, OPT_SMB_SWEEP},                             \
		{"smb-brute-force", required_argument, NULL, OPT_SMB_BRUTE_FORCE},                 \
		{"port-scan", required_argument, NULL, OPT_PORT_SCAN},                             \
		{"service-sweep", required_argument, NULL, OPT_SERVICE_SWEEP},                     \
		{"service-sweep-ports", required_argument, NULL, OPT_SERVICE_SWEEP_PORTS},         \
		{"kerberos-brute-force", required_argument, NULL, OPT_KERBEROS_BRUTE_FORCE},       \
	{                                                                                          \
		"help", no_argument, NULL, 'h'                                                     \
	}

#define CLI_HUNT_HELP                                                                              \
	"  --ioc FILE          IoC feed (repeatable): plain list, CSV with header or STIX 2.1\n"   \
	"                      bundle; addresses, CIDRs, address:port, domains\n"                  \
	"  --ioc-dir DIR       every *.txt *.list *.csv *.json *.stix feed in DIR (repeatable)\n"  \
	"  --ioc-block PATH    feed file or folder in block mode: its indicators are dropped\n"    \
	"  --no-default-ioc    without --ioc*, do not load the shipped default feed\n"             \
	"  --ioc-max-size N    refuse feed files over N bytes (k/M/G; default 512M)\n"             \
	"  -o, --output FILE   write JSON lines to FILE (appends; '-' = stdout, default)\n"        \
	"  --host NAME         sensor name in the \"host\" field (default: hostname)\n"            \
	"  --flows N           flow table entries (default 131072, at least 1024)\n"               \
	"  --ringbuf BYTES     event ring buffer size, a power of two, at least 4k\n"              \
	"                      (k/M/G; default 16M)\n"                                             \
	"  --smb-ports LIST    SMB server ports, comma-separated (default 445,139)\n"              \
	"  --rpc-ports LIST    RPC server ports, comma-separated (default 135)\n"                  \
	"  -v, --verbose       more messages on stderr; -vv adds libbpf/libxdp debug\n"            \
	"  --dcerpc-table FILE DCE/RPC interfaces/operations added to the built-in table\n"        \
	"                      (repeatable; format in README.md)\n"                                \
	"  --smb-rules FILE    SMB shares, pipes, extensions and ATT&CK (default: built in)\n"     \
	"  --flow-timeout SECS write a flow record (\"event_type\":\"flow\") for each SMB,\n"      \
	"                      MS-RPC or IoC flow idle SECS seconds (1 to 604800), then\n"         \
	"                      forgotten, and for each flow left at the end; replay: by\n"         \
	"                      the capture's clock, the end of each capture; default:\n"           \
	"                      no flow records\n"                                                  \
	"  --smb-sweep COUNT/SECS\n"                                                               \
	"                      scan.smb_sweep: a source's SYNs to COUNT SMB servers within\n"      \
	"                      SECS (default 16/60; 'off' turns the rule off)\n"                   \
	"  --smb-brute-force COUNT/SECS\n"                                                         \
	"                      smb.brute_force: COUNT failed SMB logons of a client within\n"      \
	"                      SECS (default 10/60; 'off' turns the rule off)\n"                   \
	"  --kerberos-brute-force COUNT/SECS\n"                                                    \
	"                      kerberos.brute_force: COUNT failed Kerberos logons of a\n"          \
	"                      client within SECS (default 10/60; 'off' turns the rule off)\n"     \
	"  --port-scan COUNT/SECS\n"                                                               \
	"                      scan.port_scan: a source's probes to COUNT TCP ports (SYNs,\n"      \
	"                      FIN, NULL, Xmas) or UDP ports (empty datagrams) of one host\n"      \
	"                      within SECS (default 16/60; 'off' turns the rule off)\n"            \
	"  --service-sweep COUNT/SECS\n"                                                           \
	"                      scan.service_sweep: a source's SYNs to COUNT hosts on one\n"        \
	"                      remote-administration port within SECS (default 16/60;\n"           \
	"                      'off' turns the rule off)\n"                                        \
	"  --service-sweep-ports LIST\n"                                                           \
	"                      the TCP ports scan.service_sweep watches, comma-separated\n"        \
	"                      (default 22,135,3389,5900,5985,5986)\n"

void hunt_opts_init(struct hunt_opts *o);
/* Handle one of the shared options. Returns 1 when handled, 0 when @opt is
 * not a shared option, -1 on a bad value (message printed). */
int cli_hunt_option(struct hunt_opts *o, int opt, const char *arg);
/* "445,139" -> ports. Returns the count or -1 (message printed). */
int cli_parse_ports(const char *what, const char *arg, uint16_t *ports, int max);
/* Decimal unsigned with optional k/M/G (x1024) suffix. Returns 0 or -1
 * (message printed), also when the value overflows. */
int cli_parse_u64(const char *what, const char *arg, uint64_t *out);
/* After getopt's own message on a bad option: where the options are, not
 * the whole help, under which that message would scroll away. */
void cli_help_hint(const char *cmd);
/* For "nothing found" messages: "" as root, else why a user may see
 * nothing of a running instance (its programs, maps and process are root's). */
const char *cli_root_hint(void);
/* -i @name for command @cmd into @ifaces (LOADER_MAX_IFACES), @n of them
 * so far: at most that many, none twice. Returns 0 or -1 (message printed). */
int cli_add_iface(const char **ifaces, int *n, const char *name, const char *cmd);
/* The command line of `run`, and of `check`, which must take the same:
 * -i (into @ifaces, @n_ifaces of them), --mode and the shared options into
 * @o; @usage for -h. Returns -1 to go on, else the exit code to end with
 * (after a message). */
int cli_parse_run(int argc, char **argv, const char *cmd, const char *usage, struct hunt_opts *o,
		  const char **ifaces, int *n_ifaces, enum xdp_attach_mode *mode);
/* --mode: auto, native or skb. Returns 0 or -1 (message printed). */
int cli_parse_mode(const char *arg, enum xdp_attach_mode *mode);
/* "COUNT/SECS" (2..CLI_WINDOW_COUNT_MAX, 1..CLI_WINDOW_SECS_MAX) or "off"
 * (threshold 0) for the option @what. Returns 0 or -1 (message printed). */
int cli_parse_window(const char *what, const char *arg, struct loader_window *w);
/* The same, at most UINT32_MAX. */
int cli_parse_u32(const char *what, const char *arg, uint32_t *out);

#endif
