/* Thermal zones as the kernel samples them: every reading it takes
 * (thermal:thermal_temperature), every trip crossing (thermal:thermal_zone_trip)
 * and every cooling-device state change (thermal:cdev_update), with tp_btf
 * only. Polling sysfs sees one reading per poll; these see all of them. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include "bpfscope_ringbuf.h"
#include "thermal.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

/* Zones and cooling devices are few (tens on the largest machines). */
#define THERMAL_MAX_ZONES 256

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, THERMAL_MAX_ZONES);
	__type(key, __u32);
	__type(value, struct thermal_zone_agg);
} thermal_zones SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, THERMAL_MAX_ZONES);
	__type(key, __u32);
	__type(value, struct thermal_cdev_agg);
} thermal_cdevs SEC(".maps");

BPFSCOPE_RINGBUF_MAP(thermal_trips, 1 << 14);

BPFSCOPE_STATS_MAP(thermal_stats);

/* Records go out through these subprograms: their parameter types put the
 * record structs into the object's BTF, where user space reads the layouts. */
static __noinline int emit_trip(struct thermal_trip_ev *e)
{
	return bpfscope_ringbuf_output(&thermal_trips, e, sizeof(*e), &thermal_stats);
}

static __noinline int zone_first(__u32 id, struct thermal_zone_agg *a)
{
	/* BPF_NOEXIST: two CPUs racing to add the same zone, the loser's reading is
	 * folded in by its caller on the entry the winner made. */
	if (bpf_map_update_elem(&thermal_zones, &id, a, BPF_NOEXIST) == 0)
		return 1;
	return 0;
}

static __noinline int cdev_first(__u32 id, struct thermal_cdev_agg *a)
{
	if (bpf_map_update_elem(&thermal_cdevs, &id, a, BPF_NOEXIST) == 0)
		return 1;
	return 0;
}

static __always_inline struct thermal_zone_agg *zone_entry(__u32 id, __s32 temp, __u64 now)
{
	struct thermal_zone_agg fresh = { .min_mc = temp, .max_mc = temp, .last_mc = temp, .last_ns = now };
	struct thermal_zone_agg *a = bpf_map_lookup_elem(&thermal_zones, &id);

	if (a)
		return a;
	if (!zone_first(id, &fresh)) {
		a = bpf_map_lookup_elem(&thermal_zones, &id);
		if (a)
			return a;
		/* The map is full: counted, never silent. */
		bpfscope_stat_add(&thermal_stats, BPFSCOPE_STAT_DROPS, 1);
		return NULL;
	}
	return bpf_map_lookup_elem(&thermal_zones, &id);
}

SEC("tp_btf/thermal_temperature")
int BPF_PROG(thermal_temp, struct thermal_zone_device *tz)
{
	__u32 id = BPF_CORE_READ(tz, id);
	__s32 temp = BPF_CORE_READ(tz, temperature);
	__u64 now = bpf_ktime_get_ns();
	struct thermal_zone_agg *a;

	bpfscope_stat_add(&thermal_stats, BPFSCOPE_STAT_INVOCATIONS, 1);
	a = zone_entry(id, temp, now);
	if (!a)
		return 0;
	/* The thermal core updates a zone under the zone's lock, so two runs for the
	 * same zone do not overlap: plain stores are enough for min, max and last. */
	if (temp < a->min_mc)
		a->min_mc = temp;
	if (temp > a->max_mc)
		a->max_mc = temp;
	a->last_mc = temp;
	a->last_ns = now;
	__sync_fetch_and_add(&a->readings, 1);
	return 0;
}

SEC("tp_btf/thermal_zone_trip")
int BPF_PROG(thermal_trip, struct thermal_zone_device *tz, int trip, enum thermal_trip_type type)
{
	struct thermal_trip_ev e = {};
	struct thermal_zone_agg *a;

	bpfscope_stat_add(&thermal_stats, BPFSCOPE_STAT_INVOCATIONS, 1);
	e.ts_ns = bpf_ktime_get_ns();
	e.zone_id = BPF_CORE_READ(tz, id);
	e.trip = trip;
	e.trip_type = type;
	e.temp_mc = BPF_CORE_READ(tz, temperature);
	a = zone_entry(e.zone_id, e.temp_mc, e.ts_ns);
	if (a)
		__sync_fetch_and_add(&a->trips, 1);
	emit_trip(&e);
	return 0;
}

SEC("tp_btf/cdev_update")
int BPF_PROG(thermal_cdev, struct thermal_cooling_device *cdev, unsigned long target)
{
	__u32 id = BPF_CORE_READ(cdev, id);
	struct thermal_cdev_agg fresh = { .last_target = target, .last_ns = bpf_ktime_get_ns() };
	struct thermal_cdev_agg *a;

	bpfscope_stat_add(&thermal_stats, BPFSCOPE_STAT_INVOCATIONS, 1);
	a = bpf_map_lookup_elem(&thermal_cdevs, &id);
	if (!a) {
		cdev_first(id, &fresh);
		a = bpf_map_lookup_elem(&thermal_cdevs, &id);
		if (!a) {
			bpfscope_stat_add(&thermal_stats, BPFSCOPE_STAT_DROPS, 1);
			return 0;
		}
	}
	a->last_target = target;
	a->last_ns = fresh.last_ns;
	__sync_fetch_and_add(&a->updates, 1);
	return 0;
}
