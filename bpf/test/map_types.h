/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* Layouts shared by map_types.bpf.c and the @bpfscope/native tests of map
 * types, typed layouts and .rodata constants. */
#ifndef BPFSCOPE_TEST_MAP_TYPES_H
#define BPFSCOPE_TEST_MAP_TYPES_H

#define MT_STACK_DEPTH 127
#define MT_RECORD_KIND 7

/* Written by mt_switch for the target process. The members are ordered to
 * need padding, so a decoder that counts offsets by hand would go wrong. */
struct mt_record {
	__u8 kind;        /* MT_RECORD_KIND */
	__u16 small;      /* the probe_small constant */
	__u32 tgid;       /* the target tgid */
	__u64 magic;      /* the probe_magic constant */
	char tag[8];      /* the probe_tag constant */
	__s32 neg;        /* the probe_signed constant */
	char comm[16];    /* comm of the target's group leader */
	__u64 switches;   /* context switches away from the target's threads */
	__s64 stack_id;   /* a mt_stacks id of one of those switches, or a negative errno */
};

/* Value of mt_hash. */
struct mt_value {
	__u64 count;
	__u64 sum;
};

#endif
