// Workloads of the net family's real-eBPF tests: Python children that move exactly the
// bytes they are told to over loopback, each under a name of its own (prctl PR_SET_NAME),
// driven line by line over stdin/stdout so that the test knows where each one is.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { createInterface } from 'node:readline';

const TCP = String.raw`
import socket, sys, ctypes
role, fam, peer, nsend, nrecv, name = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5]), sys.argv[6]
ctypes.CDLL(None).prctl(15, name.encode(), 0, 0, 0)
af = socket.AF_INET6 if fam == '6' else socket.AF_INET
host = '::1' if fam == '6' else '127.0.0.1'
if role == 'server':
    l = socket.socket(af, socket.SOCK_STREAM); l.bind((host, 0)); l.listen(8)
    print(l.getsockname()[1], flush=True)
    s, _ = l.accept(); l.close()
else:
    s = socket.socket(af, socket.SOCK_STREAM); s.connect((host, peer))
    print(s.getsockname()[1], flush=True)
def recv_exact(n):
    got = 0
    while got < n:
        b = s.recv(min(65536, n - got))
        if not b: raise SystemExit('early end of stream')
        got += len(b)
if role == 'client':
    s.sendall(b'x' * nsend); recv_exact(nrecv)
else:
    recv_exact(nrecv); s.sendall(b'y' * nsend)
print('done', flush=True)
sys.stdin.readline()
if role == 'server':
    while s.recv(65536): pass
s.close()
print('closed', flush=True)
sys.stdin.readline()
`;

const UDP = String.raw`
import socket, sys, ctypes
role, fam, port, n, size, name = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5]), sys.argv[6]
ctypes.CDLL(None).prctl(15, name.encode(), 0, 0, 0)
af = socket.AF_INET6 if fam == '6' else socket.AF_INET
host = '::1' if fam == '6' else '127.0.0.1'
s = socket.socket(af, socket.SOCK_DGRAM)
if role == 'receiver':
    # Room for every datagram (SO_RCVBUFFORCE, root): none is dropped for want of buffer.
    s.setsockopt(socket.SOL_SOCKET, 33, 64 << 20)
    s.bind((host, 0)); print(s.getsockname()[1], flush=True)
    for _ in range(n): s.recv(65536)
else:
    s.connect((host, port)); print(s.getsockname()[1], flush=True)
    for _ in range(n): s.send(b'z' * size)
print('done', flush=True)
sys.stdin.readline()
`;

/** A running workload child: its pid, its lines, and a way to tell it to go on. */
export interface Workload {
  readonly pid: number;
  readonly child: ChildProcessWithoutNullStreams;
  /** The next line it prints (rejects when it exits first). */
  line(): Promise<string>;
  /** Tells it to go on to its next step. */
  next(): void;
  /** Ends it and waits for its exit. */
  stop(): Promise<void>;
}

function start(argv: string[], prefix: string[]): Workload {
  const [cmd, ...args] = [...prefix, ...argv];
  const child = spawn(cmd!, args, { stdio: ['pipe', 'pipe', 'pipe'] });
  const lines: string[] = [];
  const waiting: Array<{ resolve: (s: string) => void; reject: (e: Error) => void }> = [];
  let err = '';
  let ended = false;
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  createInterface({ input: child.stdout }).on('line', (l) => {
    const w = waiting.shift();
    if (w) w.resolve(l);
    else lines.push(l);
  });
  const exited = new Promise<void>((resolve) => child.on('exit', () => {
    ended = true;
    for (const w of waiting.splice(0)) w.reject(new Error(`workload ${argv.join(' ')} ended: ${err}`));
    resolve();
  }));
  return {
    pid: child.pid!,
    child,
    line: () => {
      const l = lines.shift();
      if (l !== undefined) return Promise.resolve(l);
      if (ended) return Promise.reject(new Error(`workload ${argv.join(' ')} ended: ${err}`));
      return new Promise((resolve, reject) => waiting.push({ resolve, reject }));
    },
    next: () => void child.stdin.write('\n'),
    stop: async () => {
      if (!ended) child.kill('SIGKILL');
      await exited;
    },
  };
}

/**
 * A TCP end over loopback: a server (`peer` 0) that accepts one connection, or a client of
 * port `peer`. It prints its port, moves its bytes (the client sends first), prints `done`,
 * and on each `next()`: closes (the server after reading the end of stream), prints `closed`.
 * @param prefix - a command to run it under (e.g. `ip netns exec <ns>`)
 */
export function tcpEnd(role: 'server' | 'client', family: 4 | 6, peer: number, send: number, receive: number, name: string, prefix: string[] = []): Workload {
  return start(['python3', '-c', TCP, role, String(family), String(peer), String(send), String(receive), name], prefix);
}

/**
 * A UDP end over loopback: a receiver of `count` datagrams (binds, prints its port), or a
 * sender connected to `port` that sends `count` datagrams of `size` bytes. Prints `done`.
 */
export function udpEnd(role: 'receiver' | 'sender', family: 4 | 6, port: number, count: number, size: number, name: string, prefix: string[] = []): Workload {
  return start(['python3', '-c', UDP, role, String(family), String(port), String(count), String(size), name], prefix);
}
