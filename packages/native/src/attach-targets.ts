// Argument checks and error wording for BpfObject's attach methods, kept out
// of bpf-object.ts: what a uprobe or perf event target must look like, and
// the remedies for the attach failures a caller can fix.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { constants } from 'node:os';
import { AttachFailed, type BpfscopeError } from '@bpfscope/core';
import type { UprobeTarget } from './object-types.js';
import { isTracefsSection, TRACEFS_REMEDY, tracefsEventsDir } from './tracefs.js';

const { ENOENT } = constants.errno;

/** A uprobe target after its checks, in the shape the addon takes. @internal */
export interface CheckedUprobe {
  binaryPath: string;
  /** Empty when attaching by offset. */
  functionName: string;
  offset: number;
  pid: number;
  retprobe: boolean;
  /** `uprobe:<binary>:<function>` or `uprobe:<binary>+0x<offset>` (uretprobe: for returns), as the link reports it. */
  point: string;
}

/**
 * Checks a {@link UprobeTarget}: exactly one of functionName and offset, a
 * pid of -1 or more, and a binary that exists when given as a path.
 * @throws {@link @bpfscope/core!AttachFailed} naming the program, the binary and the function or offset
 * @internal
 */
export function checkUprobeTarget(program: string, target: UprobeTarget): CheckedUprobe {
  const { binaryPath, functionName, offset, pid = -1, retprobe = false } = target as Partial<UprobeTarget> & { functionName?: unknown; offset?: unknown };
  const where = typeof functionName === 'string' ? `:${functionName}` : typeof offset === 'number' && Number.isSafeInteger(offset) ? `+0x${offset.toString(16)}` : '';
  const point = `${retprobe === true ? 'uretprobe' : 'uprobe'}:${String(binaryPath)}${where}`;
  const fail = (message: string, errno?: number, remedy?: string): never => {
    throw new AttachFailed(program, point, message, {
      ...(errno === undefined ? {} : { errno }),
      ...(remedy === undefined ? {} : { remedy }),
      op: 'uprobe target check',
      details: { binaryPath, functionName, offset },
    });
  };
  if (typeof binaryPath !== 'string' || binaryPath === '') fail('binaryPath must be a non-empty string');
  if ((functionName === undefined) === (offset === undefined)) fail('give exactly one of functionName and offset');
  if (functionName !== undefined && (typeof functionName !== 'string' || functionName === '')) fail('functionName must be a non-empty string');
  if (offset !== undefined && !(typeof offset === 'number' && Number.isSafeInteger(offset) && offset > 0)) fail('offset must be a positive integer (a file offset)');
  if (!Number.isInteger(pid) || pid < -1) fail('pid must be an integer >= -1 (-1: every process)');
  if (typeof retprobe !== 'boolean') fail('retprobe must be a boolean');
  const path = binaryPath as string;
  // libbpf looks a bare library name ("libc.so.6") up on the library path itself.
  if (path.includes('/')) {
    if (!existsSync(path)) fail(`binary ${path} does not exist`, ENOENT, 'Give the absolute path of an executable or shared library that exists (for a library a process uses: see /proc/<pid>/maps).');
    if (!statSync(path).isFile()) fail(`binary ${path} is not a regular file`);
  }
  return { binaryPath: path, functionName: (functionName as string | undefined) ?? '', offset: (offset as number | undefined) ?? 0, pid, retprobe, point };
}

/** The reason part of an AttachFailed message (after "attaching P to A failed: "). */
function reasonOf(e: AttachFailed): string {
  const prefix = `attaching ${e.program} to ${e.attachPoint} failed: `;
  return e.message.startsWith(prefix) ? e.message.slice(prefix.length) : e.message;
}

/**
 * A clearer error for the two uprobe failures a caller fixes: a function the
 * binary does not define, and a bare library name libbpf did not find.
 * @internal
 */
export function uprobeError(e: BpfscopeError, program: string, target: CheckedUprobe): BpfscopeError {
  if (!(e instanceof AttachFailed) || e.errno !== ENOENT) return e;
  const log = String(e.details.log ?? '');
  const rewrap = (message: string, remedy: string): AttachFailed =>
    new AttachFailed(program, target.point, `${message} (${reasonOf(e)})`, {
      errno: e.errno,
      ...(e.op === undefined ? {} : { op: e.op }),
      cause: e,
      remedy,
      details: { ...e.details, binaryPath: target.binaryPath, functionName: target.functionName || undefined, offset: target.offset || undefined },
    });
  if (/failed to resolve full path/.test(log)) {
    return rewrap(`binary ${target.binaryPath} was not found on the library path`, 'Give the absolute path of the executable or shared library (for a library a process uses: see /proc/<pid>/maps).');
  }
  if (target.functionName !== '' && /failed to find symbol/.test(log)) {
    return rewrap(
      `${target.binaryPath} has no function ${target.functionName} in its symbol tables`,
      `List the functions the binary defines: nm -D --defined-only ${target.binaryPath} (or readelf -Ws). A stripped binary needs a file offset instead: attachUprobe(program, { binaryPath, offset }).`,
    );
  }
  return e;
}

/**
 * The remedy for an auto attach that failed: a tracefs tracepoint on a machine
 * without tracefs gets one that says so and names tp_btf/raw_tp.
 * @internal
 */
export function autoAttachError(e: unknown, section: string): unknown {
  if (!(e instanceof AttachFailed) || !isTracefsSection(section) || tracefsEventsDir() !== undefined) return e;
  return new AttachFailed(e.program, e.attachPoint, `${reasonOf(e)}; tracefs is not mounted`, {
    ...(e.errno === undefined ? {} : { errno: e.errno }),
    ...(e.op === undefined ? {} : { op: e.op }),
    cause: e,
    remedy: TRACEFS_REMEDY,
    details: { ...e.details, tracefsMounted: false },
  });
}

/** The online CPUs (/sys/devices/system/cpu/online, e.g. `0-3,6`). @internal */
export function onlineCpus(): number[] {
  const list = readFileSync('/sys/devices/system/cpu/online', 'utf8').trim();
  const cpus: number[] = [];
  for (const part of list.split(',')) {
    const [a, b] = part.split('-').map(Number);
    if (a === undefined || Number.isNaN(a)) continue;
    for (let c = a; c <= (b ?? a); c++) cpus.push(c);
  }
  return cpus;
}
