/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* The per-slot filters and config of syscall.bpf.c: their maps, and how a program judges a
 * call by a slot's filter (struct sc_view, wanted()), from one read of the slot's sc_gen
 * word. Included once, by syscall.bpf.c, after syscall.h and the definition of sc_stats. */
#ifndef BPFSCOPE_SYSCALL_FILTER_H
#define BPFSCOPE_SYSCALL_FILTER_H

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, SC_MAX_PIDS * SC_FILTERS);
	__type(key, struct sc_pid_key);
	__type(value, __u8);
} sc_pids SEC(".maps");

/* Index filter index * SC_MAX_SYSCALLS + id. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, SC_MAX_SYSCALLS * SC_FILTERS);
	__type(key, __u32);
	__type(value, __u8);
} sc_sys_on SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, SC_MAX_COMMS * SC_FILTERS);
	__type(key, struct sc_comm_key);
	__type(value, __u8);
} sc_comms SEC(".maps");

/* cgroup ids, mount and network namespaces (struct sc_id_key.kind). */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, SC_MAX_IDS * SC_ID_KINDS * SC_FILTERS);
	__type(key, struct sc_id_key);
	__type(value, __u8);
} sc_ids SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, SC_FILTERS);
	__type(key, __u32);
	__type(value, struct sc_filter);
} sc_filter SEC(".maps");

/* Per slot: bit 0 the generation in force, SC_GEN_ACTIVE the slot in use. The one word
 * user space flips. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, SC_SLOTS);
	__type(key, __u32);
	__type(value, __u32);
} sc_gen SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, SC_SLOTS);
	__type(key, __u32);
	__type(value, struct sc_config);
} sc_config SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, SC_SLOTS);
	__type(key, __u32);
	__type(value, struct sc_slot_stat);
} sc_slot_stats SEC(".maps");

/* The slot's sc_gen word, 0 when the slot is not in use: a slot not in use costs its
 * program this load and a branch. */
static __always_inline __u32 sc_gen_word(__u32 slot)
{
	__u32 *g = bpf_map_lookup_elem(&sc_gen, &slot);

	return g ? *g : 0;
}

/* One slot's view of a call: its config and the filter of its generation in force, from
 * one read of its sc_gen word (w), so every part of the decision comes from one generation. */
struct sc_view {
	struct sc_config *cfg;
	struct sc_filter *f;
	__u32 slot;
	__u32 fi; /* filter index: slot * SC_GENS + generation */
};

static __always_inline bool sc_view(__u32 slot, __u32 w, struct sc_view *v)
{
	if (!(w & SC_GEN_ACTIVE))
		return false;
	v->slot = slot;
	v->fi = slot * SC_GENS + (w & 1);
	v->cfg = bpf_map_lookup_elem(&sc_config, &slot);
	v->f = bpf_map_lookup_elem(&sc_filter, &v->fi);
	return v->cfg && v->f;
}

static __always_inline __u8 pid_bits(__u32 fi, __u32 tgid)
{
	struct sc_pid_key key = { .gen = fi, .tgid = tgid };
	__u8 *s = bpf_map_lookup_elem(&sc_pids, &key);

	return s ? *s : 0;
}

static __always_inline bool in_set(__u32 mode, bool present)
{
	return mode == SC_MODE_OFF || (mode == SC_MODE_ALLOW ? present : !present);
}

static __always_inline bool id_in(__u32 fi, __u32 kind, __u64 id)
{
	struct sc_id_key key = { .id = id, .gen = fi, .kind = kind };

	return bpf_map_lookup_elem(&sc_ids, &key) != NULL;
}

/* Whether the process passes the slot's pid parts (and is not its excluded collector). */
static __always_inline bool wanted_pid(struct sc_view *v, __u32 tgid)
{
	struct sc_filter *f = v->f;
	__u8 bits;

	if (v->cfg->exclude_tgid && tgid == v->cfg->exclude_tgid)
		return false;
	if (f->pid_mode == SC_MODE_OFF && !f->tree_mode)
		return true;
	bits = pid_bits(v->fi, tgid);
	if (!in_set(f->pid_mode, bits & SC_PID_FOLLOWED))
		return false;
	return !f->tree_mode || (bits & SC_PID_TREE);
}

/* The slot's own hits and misses, the only filter figures user space reports (each engine
 * its slot's). The object-wide filter counters of sc_stats stay 0: adding to them too cost
 * one more per-CPU update at every judged call, for figures nobody read. */
static __always_inline void slot_stat(__u32 slot, bool hit)
{
	struct sc_slot_stat *s = bpf_map_lookup_elem(&sc_slot_stats, &slot);

	if (s) {
		if (hit)
			s->hits++;
		else
			s->misses++;
	}
}

/* The pid parts and the syscall part: a lookup each. */
static __always_inline bool wanted_pid_id(struct sc_view *v, __u32 tgid, __u32 id)
{
	if (!wanted_pid(v, tgid))
		return false;
	if (v->f->sys_filter) {
		__u32 at = v->fi * SC_MAX_SYSCALLS + id;
		__u8 *on = bpf_map_lookup_elem(&sc_sys_on, &at);

		if (!on || !*on)
			return false;
	}
	return true;
}

/* Whether the filter has a part that judges the calling task: comm, cgroup, namespaces. */
static __always_inline bool has_task_parts(const struct sc_filter *f)
{
	return f->comm_mode | f->cgroup_mode | f->mntns_mode | f->netns_mode;
}

/* The parts that judge the calling task (helpers, CO-RE reads). */
static __always_inline bool wanted_task(struct sc_view *v)
{
	struct sc_filter *f = v->f;
	struct task_struct *task;

	if (f->comm_mode != SC_MODE_OFF) {
		struct sc_comm_key key = { .gen = v->fi };

		bpf_get_current_comm(key.comm, sizeof(key.comm));
		if (!in_set(f->comm_mode, bpf_map_lookup_elem(&sc_comms, &key) != NULL))
			return false;
	}
	if (f->cgroup_mode != SC_MODE_OFF && !in_set(f->cgroup_mode, id_in(v->fi, SC_ID_CGROUP, bpf_get_current_cgroup_id())))
		return false;
	if (f->mntns_mode != SC_MODE_OFF || f->netns_mode != SC_MODE_OFF) {
		task = bpf_get_current_task_btf();
		/* A task past exit_task_namespaces has no nsproxy: it reads as inode 0. */
		if (f->mntns_mode != SC_MODE_OFF && !in_set(f->mntns_mode, id_in(v->fi, SC_ID_MNTNS, BPF_CORE_READ(task, nsproxy, mnt_ns, ns.inum))))
			return false;
		if (f->netns_mode != SC_MODE_OFF && !in_set(f->netns_mode, id_in(v->fi, SC_ID_NETNS, BPF_CORE_READ(task, nsproxy, net_ns, ns.inum))))
			return false;
	}
	return true;
}

/* The slot's filter counts a miss always, a hit when it has any part (exclude_tgid too). */
static __always_inline void count_judgement(struct sc_view *v, bool hit)
{
	struct sc_filter *f = v->f;

	if (!hit || f->pid_mode || f->tree_mode || f->sys_filter || has_task_parts(f) || v->cfg->exclude_tgid)
		slot_stat(v->slot, hit);
}

/* Whether the slot's filter takes the call, every part judged; counted in the slot's stats. */
static __always_inline bool wanted(struct sc_view *v, __u32 tgid, __u32 id)
{
	bool hit = wanted_pid_id(v, tgid, id) && wanted_task(v);

	count_judgement(v, hit);
	return hit;
}

#endif
