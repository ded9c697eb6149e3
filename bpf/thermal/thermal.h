/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* Records shared between thermal.bpf.c and @bpfscope/plugin-thermal. Decoders
 * take their layouts from this object's BTF. Temperatures are the kernel's:
 * millidegrees Celsius, signed. */
#ifndef BPFSCOPE_THERMAL_H
#define BPFSCOPE_THERMAL_H

/* What one zone did since user space last drained the map (key: zone id, the
 * N of /sys/class/thermal/thermal_zoneN). */
struct thermal_zone_agg {
	__s32 min_mc;         /* lowest reading since the last drain */
	__s32 max_mc;         /* highest reading since the last drain */
	__s32 last_mc;        /* the latest reading */
	__u32 pad;
	__u64 readings;       /* thermal:thermal_temperature runs for this zone */
	__u64 trips;          /* thermal:thermal_zone_trip runs for this zone */
	__u64 last_ns;        /* CLOCK_MONOTONIC of the latest reading */
};

/* A trip crossing (thermal:thermal_zone_trip), sent through the ring buffer. */
struct thermal_trip_ev {
	__u64 ts_ns;          /* CLOCK_MONOTONIC */
	__s32 zone_id;
	__s32 trip;           /* trip index: the N of trip_point_N_* */
	__s32 trip_type;      /* enum thermal_trip_type: 0 active, 1 passive, 2 hot, 3 critical */
	__s32 temp_mc;        /* the zone's temperature when it crossed */
};

/* What one cooling device did since the last drain (key: cooling device id). */
struct thermal_cdev_agg {
	__u64 updates;        /* thermal:cdev_update runs */
	__u64 last_target;    /* the state it was last set to */
	__u64 last_ns;
};

#endif
