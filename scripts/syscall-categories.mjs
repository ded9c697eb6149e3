// Hand-written categories of the x86_64 system calls, by name, for
// scripts/gen-syscall-table.mjs. Every name of the table gets the category listed here;
// a name listed nowhere is `other`. A name may be listed once only (the generator checks).
//
// The categories answer "what kind of work is the process asking the kernel for":
//   file_io  files, directories, file descriptors, I/O multiplexing (select/poll/epoll),
//            asynchronous I/O (aio, io_uring), file-system notifications and mounts
//   network  sockets
//   memory   the process's address space: mappings, locking, NUMA policy, memory fds
//   process  creation, exec, exit, wait, IDs and credentials, scheduling, limits,
//            namespaces, per-thread state
//   time     clocks, sleeps and timers (timerfd included)
//   ipc      communication between processes: pipes, System V and POSIX IPC, futexes,
//            eventfd, cross-process memory copies
//   signal   sending, blocking, waiting for and handling signals
//   other    everything else: system administration, modules, kexec, keys, bpf, perf,
//            randomness, security modules, and obsolete or unimplemented entries
// When a call could fit two categories, the one of its main argument or effect wins
// (sendfile moves file data: file_io; process_vm_readv copies another process's memory: ipc).

/** @type {Record<'file_io'|'network'|'memory'|'process'|'time'|'ipc'|'signal', string[]>} */
export const SYSCALL_CATEGORIES = {
  file_io: [
    'read', 'write', 'open', 'close', 'stat', 'fstat', 'lstat', 'poll', 'lseek', 'ioctl', 'pread64', 'pwrite64',
    'readv', 'writev', 'access', 'select', 'dup', 'dup2', 'dup3', 'sendfile', 'fcntl', 'flock', 'fsync', 'fdatasync',
    'truncate', 'ftruncate', 'getdents', 'getdents64', 'getcwd', 'chdir', 'fchdir', 'rename', 'renameat', 'renameat2',
    'mkdir', 'mkdirat', 'rmdir', 'creat', 'link', 'linkat', 'unlink', 'unlinkat', 'symlink', 'symlinkat', 'readlink',
    'readlinkat', 'chmod', 'fchmod', 'fchmodat', 'chown', 'fchown', 'lchown', 'fchownat', 'umask', 'utime', 'utimes',
    'utimensat', 'futimesat', 'mknod', 'mknodat', 'statfs', 'fstatfs', 'ustat', 'sysfs', 'sync', 'syncfs',
    'sync_file_range', 'readahead', 'setxattr', 'lsetxattr', 'fsetxattr', 'getxattr', 'lgetxattr', 'fgetxattr',
    'listxattr', 'llistxattr', 'flistxattr', 'removexattr', 'lremovexattr', 'fremovexattr', 'openat', 'openat2',
    'newfstatat', 'faccessat', 'faccessat2', 'pselect6', 'ppoll', 'splice', 'tee', 'vmsplice', 'fallocate',
    'fadvise64', 'preadv', 'pwritev', 'preadv2', 'pwritev2', 'copy_file_range', 'statx', 'name_to_handle_at',
    'open_by_handle_at', 'close_range', 'epoll_create', 'epoll_create1', 'epoll_ctl', 'epoll_wait', 'epoll_pwait',
    'epoll_pwait2', 'epoll_ctl_old', 'epoll_wait_old', 'inotify_init', 'inotify_init1', 'inotify_add_watch',
    'inotify_rm_watch', 'fanotify_init', 'fanotify_mark', 'io_setup', 'io_destroy', 'io_getevents', 'io_submit',
    'io_cancel', 'io_pgetevents', 'io_uring_setup', 'io_uring_enter', 'io_uring_register', 'mount', 'umount2',
    'pivot_root', 'chroot', 'open_tree', 'move_mount', 'fsopen', 'fsconfig', 'fsmount', 'fspick', 'mount_setattr',
    'quotactl', 'quotactl_fd',
  ],
  network: [
    'socket', 'connect', 'accept', 'accept4', 'sendto', 'recvfrom', 'sendmsg', 'recvmsg', 'sendmmsg', 'recvmmsg',
    'shutdown', 'bind', 'listen', 'getsockname', 'getpeername', 'socketpair', 'setsockopt', 'getsockopt',
  ],
  memory: [
    'mmap', 'mprotect', 'munmap', 'brk', 'mremap', 'msync', 'mincore', 'madvise', 'mlock', 'munlock', 'mlockall',
    'munlockall', 'mlock2', 'remap_file_pages', 'mbind', 'set_mempolicy', 'get_mempolicy', 'set_mempolicy_home_node',
    'migrate_pages', 'move_pages', 'memfd_create', 'memfd_secret', 'pkey_mprotect', 'pkey_alloc', 'pkey_free',
    'process_madvise', 'process_mrelease', 'userfaultfd', 'membarrier', 'swapon', 'swapoff',
  ],
  process: [
    'clone', 'clone3', 'fork', 'vfork', 'execve', 'execveat', 'exit', 'exit_group', 'wait4', 'waitid', 'getpid',
    'getppid', 'gettid', 'getuid', 'geteuid', 'getgid', 'getegid', 'setuid', 'setgid', 'setreuid', 'setregid',
    'setresuid', 'getresuid', 'setresgid', 'getresgid', 'setfsuid', 'setfsgid', 'getgroups', 'setgroups', 'setpgid',
    'getpgrp', 'getpgid', 'setsid', 'getsid', 'capget', 'capset', 'prctl', 'arch_prctl', 'personality', 'getpriority',
    'setpriority', 'sched_yield', 'sched_setparam', 'sched_getparam', 'sched_setscheduler', 'sched_getscheduler',
    'sched_get_priority_max', 'sched_get_priority_min', 'sched_rr_get_interval', 'sched_setaffinity',
    'sched_getaffinity', 'sched_setattr', 'sched_getattr', 'unshare', 'setns', 'ptrace', 'getrlimit', 'setrlimit',
    'prlimit64', 'getrusage', 'times', 'set_tid_address', 'set_robust_list', 'get_robust_list', 'set_thread_area',
    'get_thread_area', 'modify_ldt', 'rseq', 'getcpu', 'ioprio_set', 'ioprio_get', 'seccomp', 'pidfd_open',
    'pidfd_getfd', 'kcmp',
  ],
  time: [
    'nanosleep', 'clock_nanosleep', 'getitimer', 'setitimer', 'alarm', 'gettimeofday', 'settimeofday', 'time',
    'clock_gettime', 'clock_settime', 'clock_getres', 'clock_adjtime', 'adjtimex', 'timer_create', 'timer_settime',
    'timer_gettime', 'timer_getoverrun', 'timer_delete', 'timerfd_create', 'timerfd_settime', 'timerfd_gettime',
  ],
  ipc: [
    'pipe', 'pipe2', 'shmget', 'shmat', 'shmctl', 'shmdt', 'semget', 'semop', 'semctl', 'semtimedop', 'msgget',
    'msgsnd', 'msgrcv', 'msgctl', 'mq_open', 'mq_unlink', 'mq_timedsend', 'mq_timedreceive', 'mq_notify',
    'mq_getsetattr', 'futex', 'futex_waitv', 'eventfd', 'eventfd2', 'process_vm_readv', 'process_vm_writev',
  ],
  signal: [
    'rt_sigaction', 'rt_sigprocmask', 'rt_sigreturn', 'rt_sigpending', 'rt_sigtimedwait', 'rt_sigqueueinfo',
    'rt_sigsuspend', 'rt_tgsigqueueinfo', 'sigaltstack', 'kill', 'tkill', 'tgkill', 'pause', 'signalfd', 'signalfd4',
    'pidfd_send_signal', 'restart_syscall',
  ],
};
