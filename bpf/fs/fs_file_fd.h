/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* From a descriptor of the current task to its struct file and the inode fields the counting
 * needs, in the kernel. Included once, by fs_file.bpf.c, first of its headers. */
#ifndef BPFSCOPE_FS_FILE_FD_H
#define BPFSCOPE_FS_FILE_FD_H

/* Kernels from 6.2; weak, so that the object loads where it is missing (the programs that
 * call it are then not loaded: fs_exit_pr and fs_enter_pr stand in). */
extern void *bpf_rdonly_cast(const void *obj, __u32 btf_id) __ksym __weak;
#define FS_CAST(p, type) ((type *)bpf_rdonly_cast((p), bpf_core_type_id_kernel(type)))

/* The file behind descriptor fd of the current task, or NULL. fast: the slot fdt->fd[fd]
 * is read with a plain load, through bpf_rdonly_cast of its address as the head of a struct
 * kiocb (whose first member, ki_filp, is a struct file *: the offset is taken from the
 * kernel's BTF all the same); else with bpf_probe_read_kernel. */
static __always_inline struct file *fs_fd_file(__u64 fd, const bool fast)
{
	struct task_struct *t = bpf_get_current_task_btf();
	struct fdtable *fdt = t->files->fdt;
	struct file *f = NULL;
	struct file **arr;

	if (!fdt || fd >= fdt->max_fds)
		return NULL;
	arr = fdt->fd;
	if (fast)
		return FS_CAST((void *)(arr + fd) - bpf_core_field_offset(struct kiocb, ki_filp), struct kiocb)->ki_filp;
	bpf_probe_read_kernel(&f, sizeof(f), arr + fd);
	return f;
}

#define FS_S_IFMT 0170000
#define FS_S_IFREG 0100000

/* What the counting needs of a file's inode. */
struct fs_inode {
	struct inode *inode;
	__u64 ino;
	__u32 dev;
	__u32 igen;
	__u32 nlink;
	bool reg;
};

/* Reads it with plain loads from a pointer bpf_rdonly_cast made (fast: kernels from 6.2) or
 * with one bpf_probe_read_kernel per field (any kernel with BTF). `fast` is a constant in
 * each program, so each holds one of the two. */
static __always_inline void fs_inode_of(struct file *f, struct fs_inode *x, const bool fast)
{
	struct inode *inode;

	if (fast) {
		inode = f->f_inode;
		x->reg = (inode->i_mode & FS_S_IFMT) == FS_S_IFREG;
		if (!x->reg)
			return;
		x->ino = inode->i_ino;
		x->dev = inode->i_sb->s_dev;
		if (fs_files_on) {
			x->igen = inode->i_generation;
			x->nlink = inode->i_nlink;
		}
	} else {
		inode = BPF_CORE_READ(f, f_inode);
		x->reg = (BPF_CORE_READ(inode, i_mode) & FS_S_IFMT) == FS_S_IFREG;
		if (!x->reg)
			return;
		x->ino = BPF_CORE_READ(inode, i_ino);
		x->dev = BPF_CORE_READ(inode, i_sb, s_dev);
		if (fs_files_on) {
			x->igen = BPF_CORE_READ(inode, i_generation);
			x->nlink = BPF_CORE_READ(inode, i_nlink);
		}
	}
	x->inode = inode;
}

#endif
