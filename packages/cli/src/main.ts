import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { ConfigError, isBpfscopeError, type MetricDetail } from '@bpfscope/core';
import { doctor } from './commands/doctor.js';
import { run } from './commands/run.js';
import { serve } from './commands/serve.js';
import { snapshot } from './commands/snapshot.js';
import { top } from './commands/top.js';
import { TOP_SORTS, type TopSort } from './top/panes-proc.js';
import { EXIT, type CliIo } from './io.js';
import { defaultFamilies, FAMILIES } from './plugins.js';

const USAGE = `Usage:
  bpfscope snapshot [--json] [--families cpu,...] [--mode auto|ebpf|fallback] [--interval MS] [--include-self] [--sys-root DIR]
  bpfscope doctor [--json] [--sys-root DIR]
  bpfscope run [--json] [--interval MS] [--out FILE] [--report FILE.html] [--mode auto|ebpf|fallback] -- <command...>
  bpfscope top [--interval MS] [--sort cpu|mem|pid|io|syscalls] [--families cpu,...] [--mode auto|ebpf|fallback] [--iterations N]
  bpfscope serve [--port 9464] [--host 127.0.0.1] [--families cpu,...] [--mode auto|ebpf|fallback] [--detail process,...] [--max-detail N] [--keep-privileges]
  bpfscope help | --help | --version

snapshot   read every family once (with --interval: twice, MS apart, and report the
           rates and percentages over that interval). Without --interval, syscall
           counts cover the short time from attaching to the reading. bpfscope's own
           calls are left out; --include-self keeps them
doctor     check what this machine offers for eBPF, probing each attach type, and say
           how to fix what is missing; and which sources the thermal and gpu families
           find (sensors; NVML, DRM cards, CUDA runtimes)
run        run a command (stdio passed through, exit code propagated), follow its whole
           process tree, and report samples every interval (default 1000 ms) and a
           summary to --out FILE, or to stderr. The command's figures start at its
           exec. It runs in its own process group: SIGINT, SIGTERM and SIGHUP go to the
           whole group, a second one kills it (the summary is still written); it has
           no controlling terminal. Exit 126: not executable, 127: not found.
           --report FILE.html also writes an HTML report (charts, process tree),
           one file readable offline
top        a live view, one pane per family (cpu per core with run-queue latency,
           memory with the OOM prediction, processes, syscalls, net, fs), read every
           interval (default 1000 ms). Keys: c m p i s sort the processes by cpu,
           memory, pid, I/O, syscalls; q or Ctrl-C quits. When stdout is not a
           terminal: one block of plain lines per reading. --iterations N: stop after
           N readings (exit 1 then if a family failed)
serve      serve the families' metrics to Prometheus: GET /metrics (text format 0.0.4,
           or OpenMetrics when the Accept header prefers it) and GET /healthz (JSON:
           each family up or down). Every scrape reads the families afresh; nothing
           runs between scrapes. --port 0 lets the system pick the port (printed).
           --detail adds per-process/connection/file series (process, connection,
           file) for at most --max-detail (default 100) of them per metric, the rest
           counted in bpfscope_exporter_capped_points. Stops on SIGINT or SIGTERM.
           It listens on 127.0.0.1 unless --host names another address. Once the
           families are attached it drops CAP_BPF, CAP_PERFMON, CAP_SYS_ADMIN and
           CAP_SYS_RESOURCE (what it holds keeps working; nothing can be reloaded);
           --keep-privileges keeps them
help       print this text (also with no arguments); exits 0

Exit codes: 0 ok (help too), 1 failed, 2 usage error; run: the command's.
Colour on a terminal only; NO_COLOR=1 turns it off.

Families: ${Object.keys(FAMILIES).join(', ')} (thermal by default only where the machine
has a thermal zone or an hwmon temperature sensor, gpu only where it has a GPU device: NVML,
or a DRM card of amdgpu, i915 or xe; doctor says which). --sys-root DIR reads sysfs
below DIR instead of /sys (snapshot and doctor): a copy of another machine's sysfs
`;

/**
 * Run the bpfscope command.
 * @param argv - arguments after the program name
 * @param io - where to write
 * @returns the exit code
 */
export async function main(argv: readonly string[], io: CliIo): Promise<number> {
  try {
    const dashes = argv.indexOf('--');
    const own = dashes === -1 ? argv : argv.slice(0, dashes);
    const command = dashes === -1 ? [] : argv.slice(dashes + 1);
    const { values, positionals } = parseArgs({
      args: joinValues(own),
      allowPositionals: true,
      options: {
        json: { type: 'boolean', default: false },
        families: { type: 'string' },
        mode: { type: 'string' },
        interval: { type: 'string' },
        out: { type: 'string' },
        report: { type: 'string' },
        'include-self': { type: 'boolean', default: false },
        sort: { type: 'string' },
        iterations: { type: 'string' },
        port: { type: 'string' },
        host: { type: 'string' },
        detail: { type: 'string' },
        'max-detail': { type: 'string' },
        'sys-root': { type: 'string' },
        'keep-privileges': { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
        version: { type: 'boolean', short: 'v', default: false },
      },
    });
    if (values.help || positionals[0] === 'help' || argv.length === 0) return void io.stdout.write(USAGE), EXIT.ok;
    if (values.version) return void io.stdout.write('0.1.0\n'), EXIT.ok;
    const [verb, ...rest] = positionals;
    if (rest.length > 0) throw new ConfigError('arguments', rest.join(' '), verb === 'run' ? 'the command after --, e.g. bpfscope run -- make' : 'no arguments after the command');
    if (verb !== 'run' && (dashes !== -1 || values.out !== undefined || values.report !== undefined)) {
      throw new ConfigError(dashes !== -1 ? '--' : values.out !== undefined ? '--out' : '--report', verb ?? '', 'only with bpfscope run');
    }
    if (verb !== 'top' && (values.sort !== undefined || values.iterations !== undefined)) throw new ConfigError(values.sort !== undefined ? '--sort' : '--iterations', verb ?? '', 'only with bpfscope top');
    if (verb !== 'snapshot' && values['include-self']) throw new ConfigError('--include-self', verb ?? '', 'only with bpfscope snapshot');
    for (const o of ['port', 'host', 'detail', 'max-detail'] as const) if (verb !== 'serve' && values[o] !== undefined) throw new ConfigError(`--${o}`, verb ?? '', 'only with bpfscope serve');
    if (verb !== 'snapshot' && verb !== 'doctor' && values['sys-root'] !== undefined) throw new ConfigError('--sys-root', verb ?? '', 'only with bpfscope snapshot or doctor');
    const sysRoot = parseSysRoot(values['sys-root']);
    if (verb !== 'serve' && values['keep-privileges']) throw new ConfigError('--keep-privileges', verb ?? '', 'only with bpfscope serve');
    switch (verb) {
      case 'snapshot':
        return await snapshot(
          {
            json: values.json ?? false,
            families: parseFamilies(values.families, sysRoot),
            mode: parseMode(values.mode),
            intervalMs: parseInterval(values.interval),
            includeSelf: values['include-self'] ?? false,
            sysRoot,
          },
          io,
        );
      case 'run':
        if (command.length === 0) throw new ConfigError('command', '(none)', 'a command after --, e.g. bpfscope run -- make -j2');
        if (values.families !== undefined) throw new ConfigError('--families', values.families, 'nothing: run collects what it needs');
        return await run(
          { json: values.json ?? false, intervalMs: parseInterval(values.interval) ?? 1000, out: values.out ?? null, report: values.report ?? null, mode: parseMode(values.mode), command },
          io,
        );
      case 'top':
        if (values.json) throw new ConfigError('--json', 'top', 'snapshot --json, or top without --json (plain lines when stdout is not a terminal)');
        return await top(
          { intervalMs: parseInterval(values.interval) ?? 1000, sort: parseSort(values.sort), families: parseFamilies(values.families), mode: parseMode(values.mode), iterations: parseIterations(values.iterations) },
          io,
        );
      case 'serve':
        if (values.json || values.interval !== undefined) throw new ConfigError(values.json ? '--json' : '--interval', 'serve', 'nothing: serve answers each scrape');
        return await serve(
          {
            port: parsePort(values.port),
            host: values.host ?? '127.0.0.1',
            families: parseFamilies(values.families),
            mode: parseMode(values.mode),
            detail: parseDetail(values.detail),
            maxDetailEntities: parseMaxDetail(values['max-detail']),
            dropPrivileges: !values['keep-privileges'],
          },
          io,
        );
      case 'doctor':
        if (values.families !== undefined || values.mode !== undefined || values.interval !== undefined) {
          throw new ConfigError('doctor', 'options', 'only --json and --sys-root');
        }
        return await doctor({ json: values.json ?? false, sysRoot }, io);
      case undefined:
        // Options with no command, e.g. `bpfscope --json`.
        throw new ConfigError('command', '(none)', '"snapshot", "doctor", "run", "top", "serve" or "help"');
      default:
        throw new ConfigError('command', verb, '"snapshot", "doctor", "run", "top", "serve" or "help"');
    }
  } catch (e) {
    if (isBpfscopeError(e)) {
      io.stderr.write(`bpfscope: ${e.message}\n  remedy: ${e.remedy}\n`);
      return e.code === 'CONFIG_ERROR' ? EXIT.usage : EXIT.failed;
    }
    if (e instanceof TypeError && 'code' in e && String(e.code).startsWith('ERR_PARSE_ARGS')) {
      io.stderr.write(`bpfscope: ${e.message}\n\n${USAGE}`);
      return EXIT.usage;
    }
    throw e;
  }
}

const VALUED = new Set(['--sys-root', '--families', '--mode', '--interval', '--out', '--report', '--sort', '--iterations', '--port', '--host', '--detail', '--max-detail']);

/**
 * `--interval -5` as `--interval=-5`: parseArgs would take a value that starts with a
 * dash for an option and say it is ambiguous; the option's own check then says what is
 * allowed.
 */
function joinValues(args: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    const next = args[i + 1];
    if (VALUED.has(a) && next !== undefined && next.startsWith('-') && next !== '--') {
      out.push(`${a}=${next}`);
      i++;
    } else out.push(a);
  }
  return out;
}

function parseFamilies(value: string | undefined, sysRoot = '/sys'): string[] {
  if (value === undefined) return defaultFamilies(sysRoot);
  const list = value.split(',').map((s) => s.trim()).filter(Boolean);
  const unknown = list.filter((f) => !(f in FAMILIES));
  if (list.length === 0 || unknown.length > 0) {
    throw new ConfigError('--families', value, `a comma-separated list of ${Object.keys(FAMILIES).join(', ')}`);
  }
  return [...new Set(list)];
}

/** --sys-root: a directory, relative to the working directory or absolute. */
function parseSysRoot(value: string | undefined): string {
  if (value === undefined) return '/sys';
  if (value === '') throw new ConfigError('--sys-root', value, 'a directory path, e.g. /sys');
  return resolve(value);
}

function parseMode(value: string | undefined): 'auto' | 'ebpf' | 'fallback' {
  if (value === undefined) return 'auto';
  if (value === 'auto' || value === 'ebpf' || value === 'fallback') return value;
  throw new ConfigError('--mode', value, '"auto", "ebpf" or "fallback"');
}

function parseInterval(value: string | undefined): number | null {
  if (value === undefined) return null;
  const n = Number(value);
  if (!/^\d+$/.test(value) || n < 10 || n > 3_600_000) throw new ConfigError('--interval', value, 'a whole number of milliseconds from 10 to 3600000');
  return n;
}

function parseSort(value: string | undefined): TopSort {
  if (value === undefined) return 'cpu';
  if ((TOP_SORTS as readonly string[]).includes(value)) return value as TopSort;
  throw new ConfigError('--sort', value, TOP_SORTS.map((k) => `"${k}"`).join(', '));
}

function parseIterations(value: string | undefined): number | null {
  if (value === undefined) return null;
  const n = Number(value);
  if (!/^\d+$/.test(value) || n < 1 || n > 1_000_000) throw new ConfigError('--iterations', value, 'a whole number from 1 to 1000000');
  return n;
}

function parsePort(value: string | undefined): number {
  if (value === undefined) return 9464;
  const n = Number(value);
  if (!/^\d+$/.test(value) || n > 65_535) throw new ConfigError('--port', value, 'a port number from 0 to 65535 (0: the system picks one)');
  return n;
}

const DETAILS: readonly MetricDetail[] = ['process', 'connection', 'file'];

function parseDetail(value: string | undefined): MetricDetail[] {
  if (value === undefined) return [];
  const list = value.split(',').map((s) => s.trim()).filter(Boolean);
  if (list.length === 0 || list.some((d) => !DETAILS.includes(d as MetricDetail))) throw new ConfigError('--detail', value, `a comma-separated list of ${DETAILS.join(', ')}`);
  return [...new Set(list as MetricDetail[])];
}

function parseMaxDetail(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!/^\d+$/.test(value) || n < 1 || n > 1_000_000) throw new ConfigError('--max-detail', value, 'a whole number from 1 to 1000000');
  return n;
}
