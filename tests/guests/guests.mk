# Guest test kernels: build/guests/NAME.elf from tests/guests/NAME.c and the
# library in tests/guests/lib/.  Included by the top-level Makefile:
#
#     include tests/guests/guests.mk
#
# and built by the target `guests` (or by depending on $(GUEST_ELFS)).
# Standalone: make -f tests/guests/guests.mk
#
# Each kernel is a multiboot v1 ELF32 linked at 1 MiB: host gcc -m32,
# freestanding, no libgcc (the library has its own 64-bit division), so
# no gcc-multilib is needed.  See docs/guest-tests.md.

GUEST_SAVED_GOAL := $(.DEFAULT_GOAL)
GUEST_STANDALONE := $(filter 1,$(words $(MAKEFILE_LIST)))

GUEST_BUILD   := $(or $(BUILD),build)/guests
GUEST_CC      := $(or $(CC),gcc)
GUEST_LD      := $(or $(LD),ld)
GUEST_Q       := $(if $(V),,@)
GUEST_CFLAGS  := -m32 -march=i686 -std=gnu11 -O2 -g -ffreestanding -fno-pic \
                 -fno-stack-protector -nostdlib -fno-builtin \
                 -mgeneral-regs-only -fno-omit-frame-pointer \
                 -fno-asynchronous-unwind-tables -fcf-protection=none \
                 -Wall -Wextra -Werror -Wmissing-prototypes \
                 -Wstrict-prototypes -Wshadow -Wundef -fno-common \
                 -Itests/guests/lib -Ivmi-abi/include -MMD -MP
GUEST_ASFLAGS := -m32 -D__ASSEMBLY__ -Itests/guests/lib -g -MMD -MP
GUEST_LDFLAGS := -m elf_i386 -nostdlib -static -z max-page-size=0x1000 \
                 --no-warn-rwx-segments -T tests/guests/lib/link.ld

GUEST_NAMES    := $(basename $(notdir $(wildcard tests/guests/*.c)))
GUEST_ELFS     := $(patsubst %,$(GUEST_BUILD)/%.elf,$(GUEST_NAMES))
GUEST_LIB_OBJS := $(patsubst tests/guests/lib/%,$(GUEST_BUILD)/lib/%.o,\
                  $(wildcard tests/guests/lib/*.S tests/guests/lib/*.c))

.PHONY: guests
guests: $(GUEST_ELFS)

$(GUEST_BUILD)/lib/%.c.o: tests/guests/lib/%.c
	@mkdir -p $(dir $@)
	@$(if $(GUEST_Q),echo "  CC32    $<")
	$(GUEST_Q)$(GUEST_CC) $(GUEST_CFLAGS) -c $< -o $@

$(GUEST_BUILD)/lib/%.S.o: tests/guests/lib/%.S
	@mkdir -p $(dir $@)
	@$(if $(GUEST_Q),echo "  AS32    $<")
	$(GUEST_Q)$(GUEST_CC) $(GUEST_ASFLAGS) -c $< -o $@

$(GUEST_BUILD)/%.o: tests/guests/%.c
	@mkdir -p $(dir $@)
	@$(if $(GUEST_Q),echo "  CC32    $<")
	$(GUEST_Q)$(GUEST_CC) $(GUEST_CFLAGS) -c $< -o $@

$(GUEST_BUILD)/%.elf: $(GUEST_BUILD)/%.o $(GUEST_LIB_OBJS) tests/guests/lib/link.ld
	@$(if $(GUEST_Q),echo "  LD32    $@")
	$(GUEST_Q)$(GUEST_LD) $(GUEST_LDFLAGS) -o $@ $< $(GUEST_LIB_OBJS)

.SECONDARY: $(patsubst %,$(GUEST_BUILD)/%.o,$(GUEST_NAMES)) $(GUEST_LIB_OBJS)

-include $(GUEST_LIB_OBJS:.o=.d) $(patsubst %,$(GUEST_BUILD)/%.d,$(GUEST_NAMES))

# Do not steal the including Makefile's default goal; standalone, build
# the kernels.
ifneq ($(GUEST_STANDALONE),)
.DEFAULT_GOAL := guests
else
.DEFAULT_GOAL := $(GUEST_SAVED_GOAL)
endif
