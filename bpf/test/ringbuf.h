/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* Layouts shared by ringbuf.bpf.c, the @bpfscope/native ring buffer tests and
 * the ring buffer benchmark (scripts/bench/c/rb-consumer.c). */
#ifndef BPFSCOPE_TEST_RINGBUF_H
#define BPFSCOPE_TEST_RINGBUF_H

/* Bits of rb_config.targets: which ring buffers get a record per matching syscall. */
enum rb_target {
	RB_TARGET_EVENTS = 1, /* rb_events, 1 MiB */
	RB_TARGET_SECOND = 2, /* rb_second, 1 MiB */
	RB_TARGET_SMALL = 4,  /* rb_small, 4 KiB: 170 records fill it */
};

/* rb_filter[0]. tgid 0 turns the program off. */
struct rb_config {
	__u32 tgid;       /* process whose syscalls are recorded */
	__u32 syscall_nr; /* the syscall id that is recorded */
	__u32 targets;    /* enum rb_target bits */
	__u32 pad;
};

/* One record: 16 bytes. */
struct rb_event {
	__u64 seq;  /* the syscall's first argument (the caller numbers its calls) */
	__u32 tgid;
	__u32 tag;  /* the enum rb_target bit of the ring buffer it was sent to */
};

#endif
