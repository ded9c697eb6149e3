/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* Walks up a file's dentry chain, crossing mounts through struct mount (mnt_parent,
 * mnt_mountpoint) to the root of the mount namespace's tree: the path's components
 * (fs_walk_path, once per file, bounded by FS_PATH_DEPTH components and FS_PATH_BUF bytes)
 * and the anchors (path prefixes, watched paths) among the file and its ancestors
 * (fs_anchor_bits, bounded by FS_ANCESTOR_DEPTH). Both are global functions, verified once
 * each whatever calls them (in the context of each caller the walk's states multiply).
 * Included once, by fs_file.bpf.c, after
 * the definition of fs_anchors. */
#ifndef BPFSCOPE_FS_FILE_WALK_H
#define BPFSCOPE_FS_FILE_WALK_H

static __always_inline struct mount *fs_real_mount(struct vfsmount *vm)
{
	return (struct mount *)((void *)vm - bpf_core_field_offset(struct mount, mnt));
}

/* One step up from d in mount m: the parent dentry (and mount, when d is the root of m and
 * m is mounted on another). Returns 0 at the root of the tree. */
static __always_inline int fs_up(struct dentry **d, struct mount **m)
{
	struct dentry *root = BPF_CORE_READ(*m, mnt.mnt_root);
	struct mount *parent;

	if (*d == root) {
		parent = BPF_CORE_READ(*m, mnt_parent);
		if (!parent || parent == *m)
			return 0;
		*d = BPF_CORE_READ(*m, mnt_mountpoint);
		*m = parent;
		return 1;
	}
	root = BPF_CORE_READ(*d, d_parent);
	if (!root || root == *d)
		return 0;
	*d = root;
	return 1;
}

/* Whether d is the root of mount m (its name is the mountpoint's, one level up). */
static __always_inline bool fs_mount_root(struct dentry *d, struct mount *m)
{
	return d == BPF_CORE_READ(m, mnt.mnt_root);
}

/* The path of the file behind descriptor fd. Global (verified once, on its own). */
__noinline int fs_walk_path(__u64 fd, struct fs_name *p)
{
	struct file *f = fs_fd_file(fd, false);
	struct dentry *d = BPF_CORE_READ(f, f_path.dentry);
	struct mount *m = fs_real_mount(BPF_CORE_READ(f, f_path.mnt));
	const unsigned char *name;
	__u32 off = 0, i;
	long n;

	if (!p)
		return 0;
	p->len = 0;
	p->status = FS_PATH_NONE;
	if (!f)
		return 0;
	p->status = FS_PATH_OK;
	for (i = 0; i < FS_PATH_DEPTH; i++) {
		if (!fs_mount_root(d, m)) {
			if (off >= FS_PATH_BUF) {
				p->status = FS_PATH_TRUNC;
				break;
			}
			name = BPF_CORE_READ(d, d_name.name);
			n = bpf_probe_read_kernel_str(p->buf + (off & (FS_PATH_BUF - 1)), FS_NAME_MAX, name);
			if (n <= 0) {
				p->status = FS_PATH_NONE;
				break;
			}
			off += n;
		}
		if (!fs_up(&d, &m))
			break;
		if (i == FS_PATH_DEPTH - 1)
			p->status = FS_PATH_TRUNC;
	}
	if (p->status == FS_PATH_NONE && off)
		p->status = FS_PATH_TRUNC;
	p->len = off;
	return 0;
}

/* The anchor bits (FS_ANCHOR_*) of `want` found on the file behind descriptor fd or its
 * ancestors. Global, as fs_walk_path. */
__noinline int fs_anchor_bits(__u64 fd, __u32 want)
{
	struct file *f = fs_fd_file(fd, false);
	struct dentry *d = BPF_CORE_READ(f, f_path.dentry);
	struct mount *m = fs_real_mount(BPF_CORE_READ(f, f_path.mnt));
	struct fs_key k = {};
	__u32 bits = 0, i;
	__u8 *b;

	if (!f)
		return 0;
	for (i = 0; i < FS_ANCESTOR_DEPTH; i++) {
		k.ino = BPF_CORE_READ(d, d_inode, i_ino);
		k.dev = BPF_CORE_READ(d, d_sb, s_dev);
		b = bpf_map_lookup_elem(&fs_anchors, &k);
		if (b) {
			bits |= *b & want;
			if (bits == want)
				break;
		}
		if (!fs_up(&d, &m))
			break;
	}
	return bits;
}

#endif
