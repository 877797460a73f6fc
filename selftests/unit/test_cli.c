// SPDX-License-Identifier: GPL-2.0
/* test_cli.c: command-line errors as a user meets them: exit code and the
 * message on stderr. Runs the real binary (-x); needs no privileges for the
 * cases here because each fails before anything is loaded. */
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include "test.h"

struct cli_result {
	int status;	/* exit code, or -1 when it did not exit normally */
	char err[4096]; /* stderr */
	char out[4096]; /* stdout */
};

static void slurp(const char *path, char *buf, size_t len)
{
	FILE *f = fopen(path, "r");
	size_t n = 0;

	if (f) {
		n = fread(buf, 1, len - 1, f);
		fclose(f);
	}
	buf[n] = '\0';
}

static int run_cli(struct cli_result *r, const char *args)
{
	char cmd[2048], errp[] = "/tmp/xh-cli-err.XXXXXX", outp[] = "/tmp/xh-cli-out.XXXXXX";
	int efd = mkstemp(errp), ofd = mkstemp(outp), st;

	close(efd);
	close(ofd);
	snprintf(cmd, sizeof(cmd), "%s %s </dev/null >%s 2>%s", test_xdphunt_bin(), args, outp,
		 errp);
	st = system(cmd);
	r->status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
	slurp(errp, r->err, sizeof(r->err));
	slurp(outp, r->out, sizeof(r->out));
	unlink(errp);
	unlink(outp);
	return r->status;
}

/* Lines of a usage text @out whose description does not start in the column
 * the others use (22: two spaces, then twenty for the option, with at least
 * one space after it), options and continuation lines alike: a misaligned
 * line reads as part of the option above it. An option alone on its line
 * (its description below) is fine. */
static int help_misaligned(const char *out)
{
	const int col = 22;
	int bad = 0;

	while (*out) {
		const char *nl = strchr(out, '\n');
		int len = nl ? (int)(nl - out) : (int)strlen(out), i;
		int aligned = len > col && out[col - 1] == ' ' && out[col] != ' ';
		/* no gap of two spaces after the option, and the next line is
		 * indented: its description is below */
		int alone =
			!memmem(out + 2, len - 2, "  ", 2) && nl && !strncmp(nl + 1, "      ", 6);

		if (len > 3 && !strncmp(out, "  -", 3) && !aligned && !alone && len > col) {
			fprintf(stderr, "  misaligned: %.*s\n", len, out);
			bad++;
		} else if (len > 6 && !strncmp(out, "      ", 6)) {
			for (i = 0; i < len && out[i] == ' '; i++)
				;
			if (i != col) {
				fprintf(stderr, "  misaligned: %.*s\n", len, out);
				bad++;
			}
		}
		if (!nl)
			break;
		out = nl + 1;
	}
	return bad;
}

void test_cli_errors(void)
{
	struct cli_result r;
	char args[1024];

	if (!test_xdphunt_bin()) {
		test_skip("no xdphunt binary given (-x)");
		return;
	}

	test_subtest("no command");
	ASSERT_EQ(run_cli(&r, ""), 2, "exit code");
	ASSERT_HAS_SUBSTR(r.err, "usage: xdphunt COMMAND", "usage on stderr");

	test_subtest("unknown command");
	ASSERT_EQ(run_cli(&r, "hunt"), 2, "exit code");
	ASSERT_HAS_SUBSTR(r.err, "unknown command 'hunt'", "message");

	test_subtest("help goes to stdout and succeeds");
	ASSERT_EQ(run_cli(&r, "--help"), 0, "exit code");
	ASSERT_HAS_SUBSTR(r.out, "replay CAPTURE", "usage on stdout");
	ASSERT_EQ(run_cli(&r, "run --help"), 0, "run --help");
	ASSERT_HAS_SUBSTR(r.out, "--mode MODE", "run usage");

	test_subtest("each command's options are described in one column");
	{
		static const char *const cmds[] = {"run",    "replay", "stats",
						   "detach", "reload", "check"};
		size_t i;

		for (i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
			snprintf(args, sizeof(args), "%s --help", cmds[i]);
			ASSERT_EQ(run_cli(&r, args), 0, cmds[i]);
			ASSERT_EQ(help_misaligned(r.out), 0, cmds[i]);
		}
	}

	test_subtest("run without an interface");
	ASSERT_EQ(run_cli(&r, "run"), 2, "exit code");
	ASSERT_HAS_SUBSTR(r.err, "no interface given", "message");

	test_subtest("a mistyped option: its error, then where the options are");
	{
		static const char *const cmds[] = {"run",    "replay", "stats",
						   "detach", "reload", "check"};

		for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
			int lines = 0;

			snprintf(args, sizeof(args), "%s --ioc-dri x", cmds[i]);
			ASSERT_EQ(run_cli(&r, args), 2, cmds[i]);
			ASSERT_HAS_SUBSTR(r.err, "unrecognized option '--ioc-dri'", cmds[i]);
			snprintf(args, sizeof(args), "Try 'xdphunt %s --help' for its options.",
				 cmds[i]);
			ASSERT_HAS_SUBSTR(r.err, args, cmds[i]);
			for (const char *p = r.err; *p; p++)
				lines += *p == '\n';
			ASSERT_EQ(lines, 2, "two lines, not the whole help");
		}
	}

	test_subtest("detach of a missing interface: one line that names it");
	ASSERT_EQ(run_cli(&r, "detach -i xhnosuch0"), 1, "exit code");
	ASSERT_STREQ(r.err, "xdphunt: detach: no interface 'xhnosuch0' here\n", "message");

	test_subtest("run with an interface given twice");
	ASSERT_EQ(run_cli(&r, "run -i lo -i lo"), 2, "a usage error");
	ASSERT_HAS_SUBSTR(r.err, "interface lo given twice", "message");

	test_subtest("run with a bad mode");
	ASSERT_EQ(run_cli(&r, "run -i lo --mode fast"), 2, "exit code");
	ASSERT_HAS_SUBSTR(r.err, "invalid --mode 'fast'", "message");

	test_subtest("run with a bad flow timeout");
	ASSERT_EQ(run_cli(&r, "run -i lo --flow-timeout 0"), 2, "0 s");
	ASSERT_HAS_SUBSTR(r.err, "invalid --flow-timeout '0': expected seconds, 1..604800",
			  "message");
	ASSERT_EQ(run_cli(&r, "run -i lo --flow-timeout 5m"), 2, "a unit");
	ASSERT_EQ(run_cli(&r, "run -i lo --flow-timeout -5"), 2, "negative");
	ASSERT_EQ(run_cli(&r, "run -i lo --flow-timeout 604801"), 2, "over a week");
	ASSERT_EQ(run_cli(&r, "replay --flow-timeout 0 x.pcap"), 2, "replay too");
	ASSERT_HAS_SUBSTR(r.err, "invalid --flow-timeout '0'", "replay message");
	/* Accepted by replay: the error is then the missing capture's. */
	ASSERT_EQ(run_cli(&r, "replay --engine native --flow-timeout 5 /nonexistent.pcap"), 1,
		  "replay takes it");
	ASSERT_HAS_SUBSTR(r.err, "/nonexistent.pcap", "names the capture");

	test_subtest("bad per-source windows");
	{
		static const char *const bad[] = {"1/60", "16",	    "16/0",  "16/86401",
						  "x/60", "16/60s", "-2/60", "1000001/60",
						  "/60",  "16/",    "on"};

		static const char *const opt[] = {"--smb-sweep", "--smb-brute-force", "--port-scan",
						  "--service-sweep", "--kerberos-brute-force"};

		for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
			const char *o = opt[i % 5];

			snprintf(args, sizeof(args), "run -i lo %s '%s'", o, bad[i]);
			ASSERT_EQ(run_cli(&r, args), 2, bad[i]);
			snprintf(args, sizeof(args),
				 "invalid %s '%s': expected COUNT/SECS (COUNT 2..1000000, "
				 "SECS 1..86400) or off",
				 o, bad[i]);
			ASSERT_HAS_SUBSTR(r.err, args, bad[i]);
		}
		ASSERT_EQ(run_cli(&r, "replay --engine native --smb-brute-force 0/60 x.pcap"), 2,
			  "replay: a count of 0");
		ASSERT_HAS_SUBSTR(r.err, "invalid --smb-brute-force '0/60'", "replay message");
		/* Accepted: the error is then the missing capture's. */
		ASSERT_EQ(run_cli(&r,
				  "replay --engine native --smb-sweep 2/86400 --smb-brute-force "
				  "off --port-scan 1000000/1 --service-sweep off "
				  "--service-sweep-ports 8443 --kerberos-brute-force 5/3600 "
				  "/nonexistent.pcap"),
			  1, "2/86400, off and 1000000/1 are fine");
		ASSERT_HAS_SUBSTR(r.err, "/nonexistent.pcap", "names the capture");
	}

	test_subtest("bad port lists");
	ASSERT_EQ(run_cli(&r, "run -i lo --smb-ports 445,0"), 2, "port 0");
	ASSERT_HAS_SUBSTR(r.err, "'0' is not a port", "message");
	ASSERT_EQ(run_cli(&r, "run -i lo --rpc-ports 135,x"), 2, "port x");
	ASSERT_EQ(run_cli(&r, "run -i lo --service-sweep-ports 22,65536"), 2, "port 65536");
	ASSERT_HAS_SUBSTR(r.err, "invalid --service-sweep-ports '22,65536': '65536' is not a port",
			  "message");
	/* An SMB port's sweeps are scan.smb_sweep's: refused before the capture. */
	ASSERT_EQ(run_cli(&r,
			  "replay --engine native --service-sweep-ports 22,139 /nonexistent.pcap"),
		  1, "an smb port");
	ASSERT_HAS_SUBSTR(r.err, "--service-sweep-ports: 139 is an SMB port", "message");
	ASSERT_EQ(run_cli(&r, "replay --engine native --smb-ports 2222 --service-sweep-ports 2222 "
			      "/nonexistent.pcap"),
		  1, "a port --smb-ports made smb's");
	ASSERT_HAS_SUBSTR(r.err, "--service-sweep-ports: 2222 is an SMB port", "message");
	ASSERT_EQ(run_cli(&r, "run -i lo --flows 12"), 2, "tiny flow table");
	ASSERT_HAS_SUBSTR(r.err, "at least 1024", "message");

	test_subtest("bad sizes are usage errors");
	ASSERT_EQ(run_cli(&r, "replay --engine native --ringbuf 1000 x.pcap"), 2,
		  "not a power of 2");
	ASSERT_HAS_SUBSTR(r.err, "invalid --ringbuf '1000': a power of two, at least 4096",
			  "message");
	ASSERT_EQ(run_cli(&r, "replay --engine native --ringbuf 0 x.pcap"), 2, "0");
	ASSERT_EQ(run_cli(&r, "run -i lo --ringbuf 2k"), 2, "under a page");
	ASSERT_EQ(run_cli(&r, "replay --engine native --ioc-max-size 99999999999999G x.pcap"), 2,
		  "a size past 64 bits");
	/* Accepted: the error is then the missing capture's. */
	ASSERT_EQ(run_cli(&r, "replay --engine native --ringbuf 64k --ioc-max-size 4G "
			      "/nonexistent.pcap"),
		  1, "64k and 4G are fine");
	ASSERT_HAS_SUBSTR(r.err, "/nonexistent.pcap", "names the capture");

	test_subtest("check: what run would read, and whether it would start");
	snprintf(args, sizeof(args), "check -i lo --no-default-ioc --ioc %s/ioc-good.txt -o -",
		 test_data_dir());
	ASSERT_EQ(run_cli(&r, args), 0, "a good set-up");
	ASSERT_HAS_SUBSTR(r.out, "from 1 feed file (", "the feed counted");
	ASSERT_HAS_SUBSTR(r.out, "dcerpc: ", "the DCE/RPC table");
	ASSERT_HAS_SUBSTR(r.out, "smb-rules: built in", "the SMB rules");
	ASSERT_HAS_SUBSTR(r.out, "iface lo: index 1", "the interface");
	ASSERT_HAS_SUBSTR(r.out,
			  geteuid() == 0 ? "bpf: the verifier of Linux " : "bpf: not checked",
			  "the verifier's verdict (as root)");
	ASSERT_HAS_SUBSTR(r.out, "xdphunt check: ok", "the verdict");
	snprintf(args, sizeof(args), "check --ioc %s/ioc-bad-line3.txt", test_data_dir());
	ASSERT_EQ(run_cli(&r, args), 1, "a bad feed");
	ASSERT_HAS_SUBSTR(r.err, "ioc-bad-line3.txt:3", "names the file and line");
	ASSERT_HAS_SUBSTR(r.out, "xdphunt check: failed", "the verdict");
	ASSERT_EQ(run_cli(&r, "check -i xhnosuch0"), 1, "a missing interface");
	ASSERT_HAS_SUBSTR(r.err, "no interface 'xhnosuch0'", "named");
	ASSERT_EQ(run_cli(&r, "check -o /nonexistent/dir/hits.json"), 1,
		  "an output folder missing");
	ASSERT_HAS_SUBSTR(r.err, "its folder /nonexistent/dir", "named");
	ASSERT_EQ(run_cli(&r, "check --smb-sweep 1/60"), 2, "a bad option: usage");
	if (geteuid() == 0) {
		/* 400M flows: past what the kernel gives a map */
		ASSERT_EQ(run_cli(&r, "check --flows 400000000"), 1, "a flow table too large");
		ASSERT_HAS_SUBSTR(r.err, "a smaller --flows or --ringbuf", "what to do");
	}

	test_subtest("replay without captures");
	ASSERT_EQ(run_cli(&r, "replay"), 2, "exit code");
	ASSERT_HAS_SUBSTR(r.err, "no capture file given", "message");

	test_subtest("stray argument");
	ASSERT_EQ(run_cli(&r, "run -i lo extra"), 2, "exit code");
	ASSERT_HAS_SUBSTR(r.err, "unexpected argument 'extra'", "message");

	test_subtest("missing IoC feed names the file and loads nothing");
	ASSERT_EQ(run_cli(&r, "replay --ioc /nonexistent/feed.txt x.pcap"), 1, "exit code");
	ASSERT_HAS_SUBSTR(r.err, "/nonexistent/feed.txt", "file named");
	ASSERT_EQ(r.out[0], '\0', "no output");

	test_subtest("bad IoC line names file and line");
	snprintf(args, sizeof(args), "replay --ioc %s/ioc-bad-line3.txt x.pcap", test_data_dir());
	ASSERT_EQ(run_cli(&r, args), 1, "exit code");
	ASSERT_HAS_SUBSTR(r.err, "ioc-bad-line3.txt:3:", "file:line");
	ASSERT_HAS_SUBSTR(r.err, "203.0.113.300", "bad text quoted");

	test_subtest("bad IoC feed stops run before any interface is touched");
	snprintf(args, sizeof(args), "run -i lo --ioc %s/ioc-bad-line3.txt", test_data_dir());
	ASSERT_EQ(run_cli(&r, args), 1, "exit code");
	ASSERT_HAS_SUBSTR(r.err, "ioc-bad-line3.txt:3:", "file:line");
	ASSERT_FALSE(strstr(r.err, "ready:") != NULL, "never attached");
}
