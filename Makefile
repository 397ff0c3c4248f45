# trivisor top-level Makefile.
#
#   make            build build/trivisor.elf and build/trivisor.iso
#   make run        boot trivisor under QEMU TCG with a Linux domain,
#                   console on this terminal, tvctl socket build/mgmt.sock
#   make test       unit tests + default integration suite (installs deps)
#   make test-slow  opt-in slow integration suites
#   make test-fresh make test and make run on a fresh Debian 12 root
#                   (opt-in; root, the Debian archive; tools/test-fresh.sh)
#   make linux-guest  fetch the stock Debian kernel, make its initramfs
#   make guest-linux  build the patched Linux guest (guest-linux-patches/)
#   make bench      Linux guest boot: bare QEMU against trivisor;
#                   the patched kernel as pv against hv (exits, boot)
#   make fuzz       libFuzzer targets (clang), FUZZ_SECONDS each
#   make deps       install the Debian packages the project needs
#
# Everything built goes to build/; logs of test runs to build/logs/.

BUILD      := build
CC         := gcc
HOST_CC    := gcc
LD         := ld
GCC_INC    := $(shell $(CC) -print-file-name=include)

WARN       := -Wall -Wextra -Werror -Wmissing-prototypes -Wstrict-prototypes \
              -Wshadow -Wundef -fno-common
# Public and portable headers: usable both in the hypervisor and on the host.
PORT_INC   := -Ivmi-abi/include -Imm/include -Ihvm/include \
              -Ibt-fallback/include -Iio-rings/include -Imgmt/include

# The hypervisor: freestanding, no SSE/x87 state touched implicitly, no red
# zone (interrupts land on the same stack).  -fpie makes all code
# RIP-relative, so the image can live in the 0xffff8000'00000000 hole that
# -mcmodel=kernel cannot reach; the link itself is static and not PIE.
HV_CFLAGS  := -std=gnu11 -O2 -g $(WARN) -ffreestanding -nostdinc \
              -isystem $(GCC_INC) -Ihypervisor/lib/include -Ihypervisor/include \
              $(PORT_INC) -D__TRIVISOR__ -mno-red-zone -mgeneral-regs-only \
              -fpie -fno-stack-protector -fno-omit-frame-pointer \
              -fno-asynchronous-unwind-tables -fcf-protection=none \
              -include hypervisor/include/trivisor/visibility.h -MMD -MP
HV_ASFLAGS := -D__ASSEMBLY__ -Ihypervisor/include $(PORT_INC) -g -MMD -MP
HV_LDFLAGS := -nostdlib -static -n -z max-page-size=0x1000 --no-dynamic-linker \
              --no-warn-rwx-segments \
              -T hypervisor/arch/linker.ld

# Every C and assembly file in these folders is part of the hypervisor;
# files named *-host.c are host-only helpers and are left out.
HV_DIRS    := hypervisor hypervisor/arch hypervisor/lib mm hvm hvm/svm hvm/vmx \
              bt-fallback io-rings vmi-abi mgmt
HV_CSRCS   := $(filter-out %-host.c,$(foreach d,$(HV_DIRS),$(wildcard $(d)/*.c)))
HV_SSRCS   := $(foreach d,$(HV_DIRS),$(wildcard $(d)/*.S))
HV_OBJS    := $(patsubst %,$(BUILD)/hv/%.o,$(HV_SSRCS) $(HV_CSRCS))

# Host unit tests: CUnit, AddressSanitizer and UBSan.  Each folder
# tests/unit/NAME/ holds the test sources and a file `sources` naming the
# portable files under test.
HOST_CFLAGS := -std=gnu11 -g -O1 $(WARN) $(PORT_INC) -Itests/unit/include \
               -fsanitize=address,undefined -fno-sanitize-recover=all \
               -fno-omit-frame-pointer
UNIT_NAMES := $(notdir $(patsubst %/,%,$(wildcard tests/unit/*/)))
UNIT_NAMES := $(filter-out include,$(UNIT_NAMES))
UNIT_BINS  := $(patsubst %,$(BUILD)/unit/%,$(UNIT_NAMES))
ALL_HDRS   := $(shell find vmi-abi mm hvm bt-fallback io-rings mgmt tests/unit -name '*.h' 2>/dev/null)

.PHONY: all deps run test test-unit test-integration test-slow test-fresh bench clean \
        check-headers iso

all: $(BUILD)/trivisor.elf $(BUILD)/trivisor.iso $(BUILD)/tvctl

# tvctl, the host toolstack (tools/tvctl/), with the protocol codec.
TVCTL_SRCS := $(wildcard tools/tvctl/*.c) mgmt/proto.c
$(BUILD)/tvctl: $(TVCTL_SRCS) $(wildcard tools/tvctl/*.h) $(ALL_HDRS)
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  HOSTCC  $@")
	$(Q)$(HOST_CC) -std=gnu11 -O2 -g $(WARN) $(PORT_INC) -o $@ $(TVCTL_SRCS)

deps:
	@bash tools/deps.sh

# V=1 shows the full commands.
Q := $(if $(V),,@)

$(BUILD)/hv/%.c.o: %.c
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  CC      $<")
	$(Q)$(CC) $(HV_CFLAGS) -c $< -o $@

$(BUILD)/hv/%.S.o: %.S
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  AS      $<")
	$(Q)$(CC) $(HV_ASFLAGS) -c $< -o $@

$(BUILD)/trivisor.elf: $(HV_OBJS) hypervisor/arch/linker.ld
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(LD) $(HV_LDFLAGS) -o $@ $(HV_OBJS)
	@bash tools/check-image.sh $@

$(BUILD)/trivisor.iso: $(BUILD)/trivisor.elf tools/mkiso.sh
	bash tools/mkiso.sh -o $@ -k $< -c "$(TRIVISOR_CMDLINE)"

iso: $(BUILD)/trivisor.iso

-include $(HV_OBJS:.o=.d)

include tests/guests/guests.mk

define unit_rule
$(BUILD)/unit/$(1): $$(wildcard tests/unit/$(1)/*.c) $$(wildcard $$(shell cat tests/unit/$(1)/sources 2>/dev/null)) $(ALL_HDRS)
	@mkdir -p $$(dir $$@)
	@$(if $(Q),echo "  HOSTCC  $$@")
	$(Q)$(HOST_CC) $(HOST_CFLAGS) -o $$@ $$(wildcard tests/unit/$(1)/*.c) \
		$$(wildcard $$(shell cat tests/unit/$(1)/sources 2>/dev/null)) -lcunit
endef
$(foreach n,$(UNIT_NAMES),$(eval $(call unit_rule,$(n))))

# The ISO for `make run` is remade every time so TRIVISOR_CMDLINE applies;
# it carries the domain RUN_CONFIG describes (tools/run-default.sh), and
# COM2 is the management socket build/mgmt.sock for tvctl.
TRIVISOR_CMDLINE ?= selftest=all
RUN_CONFIG ?= configs/default.cfg
run: deps
	$(MAKE) $(BUILD)/trivisor.elf $(BUILD)/tvctl linux-guest
	TRIVISOR_CMDLINE="$(TRIVISOR_CMDLINE)" bash tools/run-default.sh $(RUN_CONFIG)

test: deps
	$(MAKE) all guests $(UNIT_BINS)
	bash tests/run-all.sh default

check-headers:
	bash tools/check-headers.sh

test-unit: $(UNIT_BINS)
	bash tests/run-all.sh unit

test-integration: all guests
	bash tests/run-all.sh integration

test-slow: deps
	$(MAKE) all guests $(UNIT_BINS)
	bash tests/run-all.sh slow

# The README's commands on a fresh Debian 12 root (tools/test-fresh.sh).
test-fresh:
	bash tools/test-fresh.sh

# libFuzzer targets (clang, installed on first use): build/fuzz/NAME from
# tests/fuzz/NAME.c and the portable code FUZZ_SRCS_NAME names.  `make
# fuzz` runs each for FUZZ_SECONDS on build/fuzz/corpus-NAME (kept between
# runs) and build/fuzz/seeds-NAME, written at build time by
# build/fuzz/mkseeds (tests/fuzz/mkseeds.c); FUZZ_TARGETS=NAME runs one.
FUZZ_SECONDS ?= 30
FUZZ_CFLAGS := -std=gnu11 -g -O1 $(WARN) $(PORT_INC) -DGRAM_NO_CUNIT \
               -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all
FUZZ_LOADER := tests/fuzz/loader-fuzz.c tests/unit/loader/guest-ram.c \
               hvm/loader-common.c hvm/loader-linux.c hvm/loader-multiboot.c \
               hvm/acpi-build.c
FUZZ_SRCS_fuzz_mgmt := mgmt/proto.c
FUZZ_SRCS_fuzz_bzimage := $(FUZZ_LOADER)
FUZZ_SRCS_fuzz_multiboot := $(FUZZ_LOADER)
FUZZ_SRCS_fuzz_elf := $(FUZZ_LOADER)
FUZZ_SRCS_fuzz_mgmt_agent := mgmt/proto.c mgmt/agent.c \
                             tests/unit/mgmt-agent/fake-core.c
FUZZ_MAXLEN_fuzz_mgmt := 20000
FUZZ_SEEDS_fuzz_bzimage := bzimage
FUZZ_SEEDS_fuzz_multiboot := multiboot
FUZZ_SEEDS_fuzz_elf := elf
FUZZ_SEEDS_fuzz_mgmt := mgmt
FUZZ_SEEDS_fuzz_mgmt_agent := agent
FUZZ_MAXLEN_fuzz_mgmt_agent := 65536
FUZZ_TARGETS ?= fuzz_mgmt fuzz_mgmt_agent fuzz_bzimage fuzz_multiboot \
                fuzz_elf
FUZZ_BINS := $(patsubst %,$(BUILD)/fuzz/%,$(FUZZ_TARGETS))

define fuzz_rule
$(BUILD)/fuzz/$(1): tests/fuzz/$(1).c $(FUZZ_SRCS_$(1)) $(ALL_HDRS) \
		$(wildcard tests/fuzz/*.h)
	@bash tools/deps.sh clang
	@mkdir -p $$(dir $$@)
	@$(if $(Q),echo "  CLANG   $$@")
	$(Q)clang $(FUZZ_CFLAGS) -o $$@ tests/fuzz/$(1).c $(FUZZ_SRCS_$(1))
endef
$(foreach t,$(FUZZ_TARGETS),$(eval $(call fuzz_rule,$(t))))

$(BUILD)/fuzz/mkseeds: tests/fuzz/mkseeds.c mgmt/proto.c $(ALL_HDRS)
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  HOSTCC  $@")
	$(Q)$(HOST_CC) -std=gnu11 -O1 $(WARN) $(PORT_INC) -o $@ $< mgmt/proto.c

# One target's run: seeds afresh, then FUZZ_SECONDS of fuzzing.
define fuzz_run
	@rm -rf $(BUILD)/fuzz/seeds-$(1)
	@mkdir -p $(BUILD)/fuzz/corpus-$(1) $(BUILD)/fuzz/seeds-$(1)
	$(if $(FUZZ_SEEDS_$(1)),$(BUILD)/fuzz/mkseeds $(FUZZ_SEEDS_$(1)) $(BUILD)/fuzz/seeds-$(1))
	$(BUILD)/fuzz/$(1) -max_total_time=$(FUZZ_SECONDS) \
		-artifact_prefix=$(BUILD)/fuzz/$(1)- \
		-max_len=$(or $(FUZZ_MAXLEN_$(1)),32768) \
		$(BUILD)/fuzz/corpus-$(1) $(BUILD)/fuzz/seeds-$(1)

endef

.PHONY: fuzz
fuzz: $(FUZZ_BINS) $(BUILD)/fuzz/mkseeds
	$(foreach t,$(FUZZ_TARGETS),$(call fuzz_run,$(t)))

# The stock Debian Linux guest: build/linux/{vmlinuz,initrd.cpio.gz}, from
# the Debian archive with apt-get download (tools/linux-guest.sh; cached).
.PHONY: linux-guest
linux-guest: deps
	bash tools/linux-guest.sh $(BUILD)/linux
# The linux_native_* cases in the default integration set boot it.
test test-integration: linux-guest

# The patched Linux guest: Debian's linux-source-6.1 + guest-linux-patches/
# (tools/guest-linux.sh), built once per (source version, series, config)
# into build/guest-linux/<key>/bzImage; build/guest-linux/bzImage links it.
.PHONY: guest-linux
guest-linux: deps
	bash tools/guest-linux.sh $(BUILD)/guest-linux
# The guest_linux_* cases in the default integration set boot it.
test test-integration: guest-linux

# Boot time of the Linux guest on bare QEMU and under trivisor; the
# patched kernel as a pv against an hv domain (tools/bench.sh).
bench: all guests linux-guest guest-linux
	bash tools/bench.sh

clean:
	rm -rf $(BUILD)
