/** What an fs event is. */
export type FsEventType = 'slow-io' | 'open';

/** Fields every fs event has. */
export interface FsEventBase {
  /** What happened. */
  type: FsEventType;
  /** When, ms since the epoch (from the kernel's monotonic clock and the boot time read at start). */
  time: number;
  /** Process ID (tgid) of the task that issued the I/O or opened the file; 0 when the kernel did it on no process's behalf. */
  pid: number;
  /** Its command name. */
  comm: string;
  /** Sampling weight: how many events this one stands for (1 unless sampling is on). */
  weight: number;
}

/** A block I/O request that took longer than the `slowIoThresholdUs` option. */
export interface FsSlowIoEvent extends FsEventBase {
  type: 'slow-io';
  /** The device, `major:minor`. */
  dev: string;
  /** Its kernel name, when known. */
  device: string | null;
  /** `read`, `write`, `flush` or `discard`. */
  operation: 'read' | 'write' | 'flush' | 'discard' | 'other';
  /** First sector (512 bytes). */
  sector: number;
  /** Bytes transferred. */
  bytes: number;
  /** From the request's start (queue included) to its completion, µs. */
  latencyUs: number;
}

/** A successful open of a file under one of the `watchPaths`. */
export interface FsOpenEvent extends FsEventBase {
  type: 'open';
  /** Device of the file, `major:minor`. */
  dev: string;
  /** Inode number. */
  inode: number;
  /** The path as opened (relative paths as given), up to the kernel-side bound. */
  path: string;
  /** The open flags (`O_RDONLY`, `O_CREAT`, ... as a number). */
  flags: number;
}

/** An event of the fs family. */
export type FsEvent = FsSlowIoEvent | FsOpenEvent;
