// SPDX-License-Identifier: GPL-2.0
/* test_capture.c: link-layer shims used by `xdphunt replay`. */
#include <errno.h>
#include <stdlib.h>
#include <pcap/dlt.h>
#include "capture.h"
#include "test.h"

#ifndef DLT_LINUX_SLL2
#define DLT_LINUX_SLL2 276
#endif

static const uint8_t ip4[] = {0x45, 0, 0, 20, 0, 0, 0, 0, 64, 6, 0, 0, 192, 0, 2, 1, 192, 0, 2, 2};
static const uint8_t ip6_first[] = {0x60, 0, 0, 0};

static void check_eth(const uint8_t *f, int len, uint16_t et, const uint8_t *l3, size_t l3len,
		      const char *name)
{
	if (!ASSERT_EQ(len, 14 + (int)l3len, name))
		return;
	ASSERT_EQ(f[12] << 8 | f[13], et, name);
	ASSERT_MEMEQ(f + 14, l3, l3len, name);
}

void test_capture_linktypes(void)
{
	uint8_t in[64], out[128];
	int len;

	test_subtest("ethernet passes through");
	len = capture_to_ether(DLT_EN10MB, ip4, sizeof(ip4), out, sizeof(out));
	ASSERT_EQ(len, sizeof(ip4), "len");
	ASSERT_MEMEQ(out, ip4, sizeof(ip4), "bytes");

	test_subtest("raw ipv4");
	len = capture_to_ether(DLT_RAW, ip4, sizeof(ip4), out, sizeof(out));
	check_eth(out, len, 0x0800, ip4, sizeof(ip4), "raw4");

	test_subtest("raw ipv6 by version nibble");
	len = capture_to_ether(DLT_RAW, ip6_first, sizeof(ip6_first), out, sizeof(out));
	check_eth(out, len, 0x86dd, ip6_first, sizeof(ip6_first), "raw6");

	test_subtest("raw with no IP version");
	in[0] = 0x20;
	ASSERT_EQ(capture_to_ether(DLT_RAW, in, 1, out, sizeof(out)), -EINVAL, "bad nibble");
	ASSERT_EQ(capture_to_ether(DLT_RAW, in, 0, out, sizeof(out)), -EINVAL, "empty");

	test_subtest("linux sll");
	memset(in, 0, 16);
	in[14] = 0x08;
	memcpy(in + 16, ip4, sizeof(ip4));
	len = capture_to_ether(DLT_LINUX_SLL, in, 16 + sizeof(ip4), out, sizeof(out));
	check_eth(out, len, 0x0800, ip4, sizeof(ip4), "sll");
	ASSERT_EQ(capture_to_ether(DLT_LINUX_SLL, in, 15, out, sizeof(out)), -EINVAL, "short sll");

	test_subtest("linux sll2");
	memset(in, 0, 20);
	in[0] = 0x86;
	in[1] = 0xdd;
	memcpy(in + 20, ip6_first, sizeof(ip6_first));
	len = capture_to_ether(DLT_LINUX_SLL2, in, 20 + sizeof(ip6_first), out, sizeof(out));
	check_eth(out, len, 0x86dd, ip6_first, sizeof(ip6_first), "sll2");

	test_subtest("bsd null, little-endian family");
	memset(in, 0, 4);
	in[0] = 2;
	memcpy(in + 4, ip4, sizeof(ip4));
	len = capture_to_ether(DLT_NULL, in, 4 + sizeof(ip4), out, sizeof(out));
	check_eth(out, len, 0x0800, ip4, sizeof(ip4), "null le");

	test_subtest("bsd null, big-endian family 30 (darwin ipv6)");
	memset(in, 0, 4);
	in[3] = 30;
	memcpy(in + 4, ip6_first, sizeof(ip6_first));
	len = capture_to_ether(DLT_NULL, in, 4 + sizeof(ip6_first), out, sizeof(out));
	check_eth(out, len, 0x86dd, ip6_first, sizeof(ip6_first), "null be");

	test_subtest("bsd loop, network order");
	memset(in, 0, 4);
	in[3] = 24;
	len = capture_to_ether(DLT_LOOP, in, 4 + sizeof(ip6_first), out, sizeof(out));
	ASSERT_EQ(len, 14 + (int)sizeof(ip6_first), "loop len");
	in[3] = 7;
	ASSERT_EQ(capture_to_ether(DLT_LOOP, in, 8, out, sizeof(out)), -EINVAL, "unknown family");

	test_subtest("unsupported link types");
	ASSERT_EQ(capture_linktype_supported(DLT_IEEE802_11), 0, "802.11");
	ASSERT_EQ(capture_to_ether(DLT_IEEE802_11, ip4, sizeof(ip4), out, sizeof(out)),
		  -EPROTONOSUPPORT, "802.11 frame");

	test_subtest("cut at the output size");
	len = capture_to_ether(DLT_RAW, ip4, sizeof(ip4), out, 20);
	ASSERT_EQ(len, 20, "cut len");
}

void test_capture_files(void)
{
	char path[512], err[1024];
	struct capture *c;
	uint8_t frame[CAPTURE_MAX_FRAME];
	uint64_t ts = 0;
	int len = 0, rc, n = 0;

	test_subtest("missing file names the file");
	c = capture__open("/nonexistent/x.pcap", err, sizeof(err));
	ASSERT_NULL(c, "open missing");
	ASSERT_HAS_SUBSTR(err, "/nonexistent/x.pcap", "message names the file");
	ASSERT_HAS_SUBSTR(err, "No such file", "and why");

	test_subtest("not a capture names the file");
	snprintf(path, sizeof(path), "%s/ioc-good.txt", test_data_dir());
	c = capture__open(path, err, sizeof(err));
	ASSERT_NULL(c, "open a text file");
	ASSERT_HAS_SUBSTR(err, "ioc-good.txt: ", "message names the file");

	test_subtest("truncated capture: error names file and packet after earlier packets");
	snprintf(path, sizeof(path), "%s/truncated.pcap", test_data_dir());
	c = capture__open(path, err, sizeof(err));
	if (!ASSERT_OK_PTR(c, "open truncated.pcap"))
		return;
	while ((rc = capture_next(c, frame, sizeof(frame), &len, &ts)) == 1)
		n++;
	ASSERT_EQ(rc, -1, "error at the cut");
	ASSERT_EQ(n, 2, "packets before the cut");
	ASSERT_HAS_SUBSTR(capture_error(c), "truncated.pcap: packet 3:", "file and packet");
	capture__free(c);

	test_subtest("timestamps in nanoseconds");
	snprintf(path, sizeof(path), "%s/truncated.pcap", test_data_dir());
	c = capture__open(path, err, sizeof(err));
	if (!ASSERT_OK_PTR(c, "reopen"))
		return;
	ASSERT_EQ(capture_next(c, frame, sizeof(frame), &len, &ts), 1, "first");
	ASSERT_EQ(ts, 1700000000123456000ULL, "first ts");
	capture__free(c);

	/* Read through a 1 MiB stdio buffer of its own (capture.c), except
	 * standard input, which outlives the capture. */
	test_subtest("- reads standard input");
	if (!ASSERT_OK_PTR(freopen(path, "rb", stdin), "stdin from truncated.pcap"))
		return;
	c = capture__open("-", err, sizeof(err));
	if (!ASSERT_OK_PTR(c, "open -"))
		return;
	n = 0;
	while ((rc = capture_next(c, frame, sizeof(frame), &len, &ts)) == 1)
		n++;
	ASSERT_EQ(n, 2, "packets from stdin before the cut");
	ASSERT_HAS_SUBSTR(capture_error(c), "-: packet 3:", "names stdin and the packet");
	capture__free(c);
	ASSERT_OK_PTR(freopen("/dev/null", "rb", stdin), "stdin back to /dev/null");
}
