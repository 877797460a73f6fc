# SPDX-License-Identifier: GPL-2.0
# xdphunt build. `make help` lists the targets; V=1 shows full commands.

OUT      ?= build
PREFIX   ?= /usr/local
DESTDIR  ?=
SYSCONFDIR ?= /etc
UNITDIR  ?= $(PREFIX)/lib/systemd/system
CC       ?= gcc
CLANG    ?= clang
BPFTOOL  ?= bpftool
ARCH     := $(shell uname -m | sed -e 's/x86_64/x86/' -e 's/aarch64/arm64/' -e 's/ppc64le/powerpc/')
MULTIARCH := $(shell $(CC) -dumpmachine)

ifeq ($(V),1)
Q =
msg =
else
Q = @
msg = @printf '  %-8s %s\n' "$(1)" "$(2)";
endif

PKGS     := libbpf libxdp libpcap jansson libcrypto
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS := $(shell pkg-config --libs $(PKGS) 2>/dev/null || echo "-lbpf -lxdp -lpcap -ljansson -lcrypto")

WARN     := -Wall -Wextra -Werror
CFLAGS   ?= -O2 -g
XH_CFLAGS := -std=c11 -D_GNU_SOURCE $(WARN) -Iheaders -Iuser -Ibpf -I$(OUT) $(PKG_CFLAGS) \
	-DXH_DATADIR='"$(PREFIX)/share/xdphunt"'
SAN      := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined

BPF_CFLAGS := -g -O2 --target=bpf -mcpu=v3 -D__TARGET_ARCH_$(ARCH) $(WARN) \
	-Wno-unused-function -I/usr/include/$(MULTIARCH) -Iheaders -Ibpf

BPF_SRCS  := $(wildcard bpf/*.bpf.c)
BPF_HDRS  := $(wildcard bpf/*.h) headers/xh_abi.h
BPF_OBJS  := $(patsubst bpf/%.bpf.c,$(OUT)/%.bpf.o,$(BPF_SRCS))
SKELS     := $(patsubst bpf/%.bpf.c,$(OUT)/%.skel.h,$(BPF_SRCS))

USER_SRCS := $(wildcard user/*.c)
USER_HDRS := $(wildcard user/*.h) headers/xh_abi.h
USER_LIB_SRCS := $(filter-out user/main.c,$(USER_SRCS))
USER_OBJS := $(patsubst user/%.c,$(OUT)/user/%.o,$(USER_SRCS))
USER_LIB_OBJS := $(patsubst user/%.c,$(OUT)/user/%.o,$(USER_LIB_SRCS))
ASAN_LIB_OBJS := $(patsubst user/%.c,$(OUT)/asan/user/%.o,$(USER_LIB_SRCS))

TEST_LIB_SRCS := $(wildcard selftests/lib/*.c)
TEST_LIB_HDRS := $(wildcard selftests/lib/*.h)
UNIT_SRCS := $(wildcard selftests/unit/*.c)
UNIT_HDRS := $(wildcard selftests/unit/*.h)
PROG_SRCS := $(wildcard selftests/prog/*.c)
PROG_HDRS := $(wildcard selftests/prog/*.h)
# The fuzz harness (selftests/fuzz/): the unit tests run a bounded slice of it.
FUZZ_LIB_SRCS := selftests/fuzz/fuzz_engine.c selftests/fuzz/fuzz_inputs.c
FUZZ_HDRS := $(wildcard selftests/fuzz/*.h)

BIN        := $(OUT)/xdphunt

# The native engine (`replay --engine native`, user/native/): bpf/xdphunt.bpf.c
# compiled as C against a userspace runtime of maps and helpers. Its object
# keeps only nrt_prog_xdphunt global. The link wraps libbpf's map calls so the
# loader fills native maps through the same code (user/native/wrap.c).
NATIVE_SRCS := $(wildcard user/native/*.c)
NATIVE_HDRS := $(wildcard user/native/*.h user/native/include/bpf/*.h)
NATIVE_OBJS := $(patsubst user/native/%.c,$(OUT)/native/%.o,$(NATIVE_SRCS))
NATIVE_ASAN_OBJS := $(patsubst user/native/%.c,$(OUT)/asan/native/%.o,$(NATIVE_SRCS))
NATIVE_PROG_CFLAGS := -std=gnu11 -D_GNU_SOURCE $(WARN) -Wno-unused-function -fvisibility=hidden \
	-include user/native/prelude.h -Iuser/native/include -Iuser/native -Iheaders -Ibpf
# The engine writes the program's `const volatile` settings (rodata that
# libbpf sets before load): gcc puts them in .data, clang in .rodata, which
# is mapped read-only. The program's .rodata is renamed to a data section so
# that both compilers give writable settings (localize: see prog_xdphunt.c).
NATIVE_PROG_OBJCOPY := --localize-hidden --rename-section .rodata=.data.nrt_rodata
NATIVE_WRAP := bpf_map_create bpf_map_update_elem bpf_map_lookup_elem bpf_map_delete_elem \
	bpf_map_get_next_key bpf_map_lookup_batch bpf_map_update_batch bpf_map__fd close
NATIVE_LDFLAGS := $(foreach f,$(NATIVE_WRAP),-Wl,--wrap=$(f))
# Static BPF loader for the initramfs of selftests/verifier/test_kernel_61.sh.
VM_LOADER  := $(OUT)/selftests/vm_loader

# Bench tools (make bench): C programs and bench-only BPF objects in bench/.
BENCH_SRCS  := $(filter-out %.bpf.c,$(wildcard bench/*.c))
BENCH_BPF   := $(patsubst bench/%.bpf.c,$(OUT)/bench/%.bpf.o,$(wildcard bench/*.bpf.c))
BENCH_BIN   := $(OUT)/bench/xh_bench
UNIT_TESTS := $(OUT)/selftests/unit_tests
PROG_TESTS := $(OUT)/selftests/prog_tests

.PHONY: all deps test bench profile demo install clean help fmt check unit prog coverage fuzz
.DELETE_ON_ERROR:
.SECONDARY:

FIXTURE_BPF := $(patsubst selftests/fixtures/%.bpf.c,$(OUT)/selftests/%.bpf.o,$(wildcard selftests/fixtures/*.bpf.c))

all: $(BIN) $(UNIT_TESTS) $(PROG_TESTS) $(FIXTURE_BPF) $(BENCH_BIN) $(BENCH_BPF) $(VM_LOADER)

help:
	@echo "make            build $(BIN), the BPF object and the test runners"
	@echo "make deps       install build and test packages (apt-get, root)"
	@echo "make test       every test level; ends with 'N passed, N failed, N skipped'"
	@echo "make unit       the unit tests alone (ASan/UBSan, no privileges)"
	@echo "make demo       namespace lab: attach, make real traffic, print hunt hits"
	@echo "make bench      benchmarks (not tests)"
	@echo "make profile    live path: CPU per BPF source line (perf; CLASSES=\"smb dns\")"
	@echo "make coverage   hunt-coverage scorecard on live lab attacks (root; minutes) -> coverage/"
	@echo "make fuzz       libFuzzer on the native program from the corpus frames (FUZZ_SECS=60)"
	@echo "make install    install to \$$(DESTDIR)\$$(PREFIX) (PREFIX=$(PREFIX))"
	@echo "make fmt/check  apply/verify .clang-format"
	@echo "make clean      remove $(OUT)/"

deps:
	$(Q)scripts/install-deps.sh

$(OUT) $(OUT)/user $(OUT)/asan/user $(OUT)/selftests:
	$(Q)mkdir -p $@

# BPF object -> skeleton (libbpf-bootstrap's chain); user objects depend on it.
$(OUT)/%.bpf.o: bpf/%.bpf.c $(BPF_HDRS) | $(OUT)
	$(call msg,BPF,$@)
	$(Q)$(CLANG) $(BPF_CFLAGS) -c $< -o $@

$(OUT)/%.skel.h: $(OUT)/%.bpf.o
	$(call msg,GEN-SKEL,$@)
	$(Q)$(BPFTOOL) gen skeleton $< name $(subst .bpf.o,,$(notdir $<)) > $@

# The built-in SMB rules are data/smb-rules.conf, as a C string.
$(OUT)/smb_default.h: data/smb-rules.conf | $(OUT)
	$(call msg,GEN,$@)
	$(Q){ echo 'const char smb_rules_default_text[] ='; \
	  sed -e 's/\\/\\\\/g' -e 's/"/\\"/g' -e 's/^/\t"/' -e 's/$$/\\n"/' $<; echo ';'; } > $@

$(OUT)/user/smb_rules.o $(OUT)/asan/user/smb_rules.o: $(OUT)/smb_default.h

$(OUT)/user/%.o: user/%.c $(USER_HDRS) $(SKELS) | $(OUT)/user
	$(call msg,CC,$@)
	$(Q)$(CC) $(XH_CFLAGS) $(CFLAGS) -c $< -o $@

$(OUT)/asan/user/%.o: user/%.c $(USER_HDRS) $(SKELS) | $(OUT)/asan/user
	$(call msg,CC-ASAN,$@)
	$(Q)$(CC) $(XH_CFLAGS) -O1 -g $(SAN) -c $< -o $@

# The built-in DCE/RPC table is compiled into user/dcerpc_table.c (.incbin).
$(OUT)/user/dcerpc_table.o $(OUT)/asan/user/dcerpc_table.o: data/dcerpc.tsv

$(OUT)/native/prog_%.o: user/native/prog_%.c bpf/%.bpf.c $(BPF_HDRS) $(NATIVE_HDRS)
	$(call msg,CC-NAT,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(NATIVE_PROG_CFLAGS) $(CFLAGS) -c $< -o $@.tmp.o
	$(Q)objcopy $(NATIVE_PROG_OBJCOPY) $@.tmp.o $@ && rm -f $@.tmp.o

# Packet headers sit wherever the frame puts them (an IPv4 header after a
# 14-byte Ethernet header is 2 bytes off): BPF and x86-64/arm64 load them
# unaligned, so UBSan's alignment check is off for the program only.
$(OUT)/asan/native/prog_%.o: user/native/prog_%.c bpf/%.bpf.c $(BPF_HDRS) $(NATIVE_HDRS)
	$(call msg,CC-ASAN,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(NATIVE_PROG_CFLAGS) -O1 -g $(SAN) -fno-sanitize=alignment -c $< -o $@.tmp.o
	$(Q)objcopy $(NATIVE_PROG_OBJCOPY) $@.tmp.o $@ && rm -f $@.tmp.o

$(OUT)/native/%.o: user/native/%.c $(NATIVE_HDRS) $(USER_HDRS)
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(XH_CFLAGS) -Iuser/native $(CFLAGS) -c $< -o $@

$(OUT)/asan/native/%.o: user/native/%.c $(NATIVE_HDRS) $(USER_HDRS)
	$(call msg,CC-ASAN,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(XH_CFLAGS) -Iuser/native -O1 -g $(SAN) -c $< -o $@

$(BIN): $(USER_OBJS) $(NATIVE_OBJS)
	$(call msg,LINK,$@)
	$(Q)$(CC) $(CFLAGS) $^ $(NATIVE_LDFLAGS) $(PKG_LIBS) -lelf -lz -o $@

# BPF programs used as fixtures by the end-to-end tests.
$(OUT)/selftests/%.bpf.o: selftests/fixtures/%.bpf.c | $(OUT)/selftests
	$(call msg,BPF,$@)
	$(Q)$(CLANG) $(BPF_CFLAGS) -c $< -o $@

$(OUT)/selftests/%.skel.h: $(OUT)/selftests/%.bpf.o
	$(call msg,GEN-SKEL,$@)
	$(Q)$(BPFTOOL) gen skeleton $< name $(subst .bpf.o,,$(notdir $<)) > $@

# Static (libbpf.a, libelf.a, libz.a): it runs alone in a VM's initramfs.
VM_LOADER_SRCS := selftests/verifier/vm_loader.c selftests/verifier/vm_runs.c \
		  selftests/lib/smbmsg.c selftests/lib/rpc_pdu.c
$(VM_LOADER): $(VM_LOADER_SRCS) selftests/verifier/vm_loader.h selftests/lib/smbmsg.h \
		selftests/lib/rpc_pdu.h bpf/smb.h bpf/smb_name.h \
		headers/xh_abi.h | $(OUT)/selftests
	$(call msg,LINK-ST,$@)
	$(Q)$(CC) -std=c11 -D_GNU_SOURCE $(WARN) -Iheaders -Ibpf -Iselftests/lib $(CFLAGS) -static \
		$(VM_LOADER_SRCS) -l:libbpf.a -l:libelf.a -l:libz.a -o $@

# bench/xdphunt_drop.bpf.c includes bpf/xdphunt.bpf.c: every bench object
# depends on the BPF sources too.
$(OUT)/bench/%.bpf.o: bench/%.bpf.c $(BPF_SRCS) $(BPF_HDRS) $(wildcard bench/*.h)
	$(call msg,BPF,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CLANG) $(BPF_CFLAGS) -c $< -o $@

$(OUT)/bench/%.skel.h: $(OUT)/bench/%.bpf.o
	$(call msg,GEN-SKEL,$@)
	$(Q)$(BPFTOOL) gen skeleton $< name $(subst .bpf.o,,$(notdir $<)) > $@

$(BENCH_BIN): $(BENCH_SRCS) $(wildcard bench/*.h) $(USER_LIB_OBJS) $(NATIVE_OBJS) \
		$(OUT)/bench/evgen.skel.h $(OUT)/bench/flowgen.skel.h
	$(call msg,LINK,$@)
	$(Q)$(CC) $(XH_CFLAGS) -Ibench -I$(OUT)/bench $(CFLAGS) $(BENCH_SRCS) $(USER_LIB_OBJS) \
		$(NATIVE_OBJS) $(NATIVE_LDFLAGS) $(PKG_LIBS) -lelf -lz -lpthread -o $@

# Test runners: every `void test_<name>(void)` is picked up (test_progs style).
$(OUT)/selftests/%_list.h: $(wildcard selftests/$*/*.c) | $(OUT)/selftests
	$(Q)grep -ho '^void test_[a-z0-9_]*(void)' $(wildcard selftests/$*/*.c) /dev/null \
		| sed -e 's/^void test_\(.*\)(void)/DEFINE_TEST(\1)/' > $@.tmp && mv $@.tmp $@

$(OUT)/selftests/unit_list.h: $(UNIT_SRCS)
$(OUT)/selftests/prog_list.h: $(PROG_SRCS)

# Unit tests: no privileges, ASan and UBSan, over the userspace modules.
$(UNIT_TESTS): $(UNIT_SRCS) $(UNIT_HDRS) $(TEST_LIB_SRCS) $(TEST_LIB_HDRS) $(FUZZ_LIB_SRCS) \
		$(FUZZ_HDRS) $(ASAN_LIB_OBJS) $(NATIVE_ASAN_OBJS) $(OUT)/selftests/unit_list.h \
		$(BPF_HDRS) $(SKELS)
	$(call msg,TEST-CC,$@)
	$(Q)$(CC) $(XH_CFLAGS) -Iselftests/lib -Iselftests/fuzz -O1 -g $(SAN) \
		-DTEST_LIST='"unit_list.h"' -I$(OUT)/selftests \
		$(UNIT_SRCS) $(TEST_LIB_SRCS) $(FUZZ_LIB_SRCS) $(ASAN_LIB_OBJS) $(NATIVE_ASAN_OBJS) \
		$(NATIVE_LDFLAGS) $(PKG_LIBS) -lelf -lz -o $@

# BPF_PROG_TEST_RUN tests (root): the real skeleton, the real verifier.
$(PROG_TESTS): $(PROG_SRCS) $(PROG_HDRS) $(TEST_LIB_SRCS) $(TEST_LIB_HDRS) $(ASAN_LIB_OBJS) \
		$(NATIVE_ASAN_OBJS) $(OUT)/selftests/prog_list.h $(BPF_HDRS) $(SKELS) \
		$(OUT)/selftests/ringgen.skel.h
	$(call msg,TEST-CC,$@)
	$(Q)$(CC) $(XH_CFLAGS) -Iselftests/lib -O1 -g $(SAN) \
		-DTEST_LIST='"prog_list.h"' -I$(OUT)/selftests \
		$(PROG_SRCS) $(TEST_LIB_SRCS) $(ASAN_LIB_OBJS) $(NATIVE_ASAN_OBJS) $(NATIVE_LDFLAGS) \
		$(PKG_LIBS) -lelf -lz -o $@

test: deps all
	$(Q)selftests/run_all.sh $(OUT)

# make fuzz: the libFuzzer targets (selftests/fuzz/fuzz_*.c). libFuzzer
# and the sanitizers must come from one compiler, so the userspace code and
# the native program are compiled again with clang, apart in $(OUT)/fuzz.
FUZZ_OUT    := $(OUT)/fuzz
FUZZ_BINS   := $(FUZZ_OUT)/fuzz_xdphunt $(FUZZ_OUT)/fuzz_files
FUZZ_SAN    := -fsanitize=fuzzer-no-link,address,undefined -fno-omit-frame-pointer \
	-fno-sanitize-recover=undefined
FUZZ_OBJS   := $(patsubst user/%.c,$(FUZZ_OUT)/user/%.o,$(USER_LIB_SRCS)) \
	$(patsubst user/native/%.c,$(FUZZ_OUT)/native/%.o,$(NATIVE_SRCS))

$(FUZZ_OUT)/user/%.o: user/%.c $(USER_HDRS) $(SKELS)
	$(call msg,CC-FUZZ,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CLANG) $(XH_CFLAGS) -O1 -g $(FUZZ_SAN) -c $< -o $@

$(FUZZ_OUT)/user/smb_rules.o: $(OUT)/smb_default.h
$(FUZZ_OUT)/user/dcerpc_table.o: data/dcerpc.tsv

$(FUZZ_OUT)/native/prog_%.o: user/native/prog_%.c bpf/%.bpf.c $(BPF_HDRS) $(NATIVE_HDRS)
	$(call msg,CC-FUZZ,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CLANG) $(NATIVE_PROG_CFLAGS) -O1 -g $(FUZZ_SAN) -fno-sanitize=alignment -c $< -o $@.tmp.o
	$(Q)objcopy $(NATIVE_PROG_OBJCOPY) $@.tmp.o $@ && rm -f $@.tmp.o

$(FUZZ_OUT)/native/%.o: user/native/%.c $(NATIVE_HDRS) $(USER_HDRS)
	$(call msg,CC-FUZZ,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CLANG) $(XH_CFLAGS) -Iuser/native -O1 -g $(FUZZ_SAN) -c $< -o $@

# Two targets: packets (fuzz_xdphunt) and the files a user gives (fuzz_files).
$(FUZZ_OUT)/fuzz_%: selftests/fuzz/fuzz_%.c $(FUZZ_LIB_SRCS) $(FUZZ_HDRS) $(FUZZ_OBJS)
	$(call msg,LINK,$@)
	$(Q)$(CLANG) $(XH_CFLAGS) -Iselftests/fuzz -O1 -g $(FUZZ_SAN) -fsanitize=fuzzer \
		$< $(FUZZ_LIB_SRCS) $(FUZZ_OBJS) $(NATIVE_LDFLAGS) $(PKG_LIBS) -lelf -lz -o $@

# FUZZ_SECS (60) seconds of libFuzzer on packets from the corpus's frames,
# then a quarter of that on the input files; new inputs kept in
# $(OUT)/fuzz/<target>/inputs, anything that fails in .../crashes.
fuzz: deps $(FUZZ_BINS)
	$(Q)scripts/fuzz.sh $(OUT) $(FUZZ_SECS)


# The unit level alone (no privileges), as run_all.sh runs it.
unit: $(UNIT_TESTS) $(BIN)
	$(Q)$(UNIT_TESTS) -d selftests/fixtures -x $(BIN)

demo: deps all
	$(Q)scripts/demo.sh $(OUT)

coverage: deps all
	$(Q)scripts/coverage.sh $(OUT) coverage

bench: deps all $(BENCH_BIN) $(BENCH_BPF)
	$(Q)scripts/bench.sh $(OUT)

# CLASSES="smb dns": which traffic classes (default: make bench's mix).
profile: deps all $(BENCH_BIN) $(BENCH_BPF)
	$(Q)scripts/profile.sh $(OUT) $(CLASSES)

install: all
	$(Q)install -D -m 0755 $(BIN) $(DESTDIR)$(PREFIX)/sbin/xdphunt
	$(Q)install -d $(DESTDIR)$(UNITDIR)
	$(Q)sed -e 's|@SBINDIR@|$(PREFIX)/sbin|g' -e 's|@SYSCONFDIR@|$(SYSCONFDIR)|g' \
		-e 's|@DOCDIR@|$(PREFIX)/share/doc/xdphunt|g' packaging/xdphunt@.service.in \
		>$(DESTDIR)$(UNITDIR)/xdphunt@.service
	$(Q)install -D -m 0644 packaging/xdphunt.logrotate $(DESTDIR)$(SYSCONFDIR)/logrotate.d/xdphunt
	$(Q)install -D -m 0644 README.md $(DESTDIR)$(PREFIX)/share/doc/xdphunt/README.md
	$(Q)install -D -m 0644 $(OUT)/xdphunt.bpf.o $(DESTDIR)$(PREFIX)/lib/xdphunt/xdphunt.bpf.o
	$(Q)install -d $(DESTDIR)$(PREFIX)/share/xdphunt
	$(Q)if [ -d data ]; then cp -R --no-preserve=mode,ownership data/. $(DESTDIR)$(PREFIX)/share/xdphunt/; fi

FMT_SRCS := $(wildcard bpf/*.c bpf/*.h headers/*.h user/*.c user/*.h selftests/*/*.c selftests/*/*.h \
	bench/*.c bench/*.h user/native/*.c user/native/*.h user/native/include/bpf/*.h)
fmt:
	$(Q)clang-format -i $(FMT_SRCS)

check:
	$(Q)clang-format --dry-run --Werror $(FMT_SRCS)

clean:
	$(Q)rm -rf $(OUT)
