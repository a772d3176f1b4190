// One SSH connection to a server (through its jump server when it has one), with the host key
// checked against what is recorded, and exec sessions counted: every session costs a login shell on
// a real server, so the deployer batches its work into few of them.
import { Client, type ClientChannel, type ConnectConfig } from 'ssh2';
import type { Readable } from 'node:stream';
import { checkHostKey, fingerprintOf, keyAlgorithm, type HostKeyPolicy } from './host-keys.js';
import { DeployError } from './errors.js';

export interface SshTarget {
  label: string;
  host: string;
  port: number;
  user: string;
  auth:
    | { kind: 'key'; privateKey: string; passphrase?: string }
    | { kind: 'password'; password: string }
    | { kind: 'agent'; socket: string | undefined };
  hostKey: HostKeyPolicy;
}

export interface ExecResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface ExecOptions {
  /** Written to the command's stdin, then stdin is closed. */
  stdin?: string | Buffer;
  /** Streamed to stdin after `stdin` (uploads); progress gets bytes written so far. */
  stream?: Readable;
  onProgress?: (bytes: number) => void;
  timeoutMs?: number;
}

export class SshConnection {
  sessions = 0;
  private constructor(
    private client: Client,
    private via: Client | null,
  ) {}

  /** `stop` gives up a connect in progress (its reason is the error). */
  static async open(
    target: SshTarget,
    opts: { jump?: SshTarget; readyTimeoutMs?: number; stop?: AbortSignal } = {},
  ): Promise<SshConnection> {
    let via: Client | null = null;
    let sock: Readable | undefined;
    if (opts.jump) {
      via = await connectClient(opts.jump, undefined, opts.readyTimeoutMs, opts.stop);
      sock = await new Promise<ClientChannel>((resolve, reject) =>
        via!.forwardOut('127.0.0.1', 0, target.host, target.port, (err, ch) =>
          err
            ? reject(
                new DeployError('connect', `jump server ${opts.jump!.label} cannot reach ${target.host}:${target.port}: ${err.message}`),
              )
            : resolve(ch),
        ),
      ).catch((err) => {
        via!.end();
        throw err;
      });
    }
    try {
      return new SshConnection(await connectClient(target, sock, opts.readyTimeoutMs, opts.stop), via);
    } catch (err) {
      via?.end();
      throw err;
    }
  }

  /** Runs one command in one session; the exit code is returned, not thrown. */
  exec(command: string, o: ExecOptions = {}): Promise<ExecResult> {
    this.sessions++;
    return new Promise((resolve, reject) => {
      this.client.exec(command, (err, ch) => {
        if (err) return reject(new DeployError('connect', `cannot open an SSH session: ${err.message}`));
        const out: Buffer[] = [];
        const errOut: Buffer[] = [];
        let timer: NodeJS.Timeout | undefined;
        if (o.timeoutMs) {
          timer = setTimeout(() => {
            ch.close();
            reject(new DeployError('connect', `remote command timed out after ${o.timeoutMs} ms`));
          }, o.timeoutMs);
        }
        ch.on('data', (d: Buffer) => out.push(d));
        ch.stderr.on('data', (d: Buffer) => errOut.push(d));
        ch.on('close', (code: number | null, signal?: string) => {
          clearTimeout(timer);
          o.stream?.destroy(); // the command ended (maybe early, e.g. sudo refused): stop reading the file
          resolve({
            code: code ?? (signal ? 128 : 255),
            stdout: Buffer.concat(out).toString(),
            stderr: Buffer.concat(errOut).toString(),
          });
        });
        if (o.stdin !== undefined) ch.write(o.stdin);
        if (!o.stream) return void ch.end();
        let sent = 0;
        o.stream.on('data', (chunk: Buffer) => {
          sent += chunk.length;
          o.onProgress?.(sent);
          if (!ch.write(chunk)) {
            o.stream!.pause();
            ch.once('drain', () => o.stream!.resume());
          }
        });
        o.stream.once('end', () => ch.end());
        o.stream.once('error', (e) => {
          ch.close();
          reject(new DeployError('upload', `cannot read the file to upload: ${e.message}`));
        });
      });
    });
  }

  /** Remote port forward: connections to 127.0.0.1:remotePort on the server reach `onConnection`. */
  forwardIn(remotePort: number, onConnection: (ch: ClientChannel) => void): Promise<void> {
    this.client.on('tcp connection', (_info, accept) => onConnection(accept()));
    return new Promise((resolve, reject) =>
      this.client.forwardIn('127.0.0.1', remotePort, (err) =>
        err
          ? reject(new DeployError('connect', `the server refused the port forward on 127.0.0.1:${remotePort}: ${err.message}`))
          : resolve(),
      ),
    );
  }

  onClose(fn: (err?: Error) => void): void {
    let last: Error | undefined;
    this.client.on('error', (e) => (last = e));
    this.client.once('close', () => fn(last));
  }

  close(): void {
    this.client.end();
    this.via?.end();
  }
}

function connectClient(t: SshTarget, sock: Readable | undefined, readyTimeoutMs = 15_000, stop?: AbortSignal): Promise<Client> {
  stop?.throwIfAborted();
  const client = new Client();
  let hostKeyError: DeployError | null = null;
  const cfg: ConnectConfig = {
    host: t.host,
    port: t.port,
    username: t.user,
    readyTimeout: readyTimeoutMs,
    keepaliveInterval: 15_000,
    ...(sock ? { sock } : {}),
    hostVerifier: (key: Buffer) => {
      hostKeyError = checkHostKey(t.hostKey, fingerprintOf(key), keyAlgorithm(key), t.label);
      return hostKeyError === null;
    },
  };
  if (t.auth.kind === 'key') {
    cfg.privateKey = t.auth.privateKey;
    if (t.auth.passphrase) cfg.passphrase = t.auth.passphrase;
  } else if (t.auth.kind === 'password') {
    cfg.password = t.auth.password;
  } else {
    const socket = t.auth.socket ?? process.env.SSH_AUTH_SOCK;
    if (!socket) throw new DeployError('connect', `${t.label}: authentication by ssh-agent, but SSH_AUTH_SOCK is not set`);
    cfg.agent = socket;
  }
  return new Promise((resolve, reject) => {
    const abandon = () => {
      client.end();
      reject(stop!.reason as Error);
    };
    const fail = (err: Error) => {
      stop?.removeEventListener('abort', abandon);
      client.end();
      reject(hostKeyError ?? describeConnectError(err, t));
    };
    stop?.addEventListener('abort', abandon, { once: true });
    client.once('ready', () => {
      stop?.removeEventListener('abort', abandon);
      client.off('error', fail);
      client.on('error', () => {}); // later errors surface as a closed connection on the next exec
      resolve(client);
    });
    client.once('error', fail);
    try {
      client.connect(cfg);
    } catch (err) {
      fail(err as Error);
    }
  });
}

function describeConnectError(err: Error & { code?: string; level?: string }, t: SshTarget): DeployError {
  const where = `${t.user}@${t.host}:${t.port}`;
  if (err.level === 'client-authentication') {
    return new DeployError('connect', `authentication failed for ${where} (${t.auth.kind}): the server refused the credentials`);
  }
  if (err.code === 'ECONNREFUSED') return new DeployError('connect', `cannot reach ${where}: connection refused`);
  if (err.code === 'ENOTFOUND' || err.code === 'EAI_AGAIN') return new DeployError('connect', `cannot resolve ${t.host}`);
  if (/Timed out while waiting for handshake/.test(err.message))
    return new DeployError('connect', `cannot reach ${where}: no SSH handshake in time`);
  if (/Cannot parse privateKey|Encrypted private OpenSSH key detected|bad passphrase/i.test(err.message)) {
    return new DeployError('connect', `${t.label}: cannot use the private key (${err.message}); check the key and its passphrase`);
  }
  return new DeployError('connect', `cannot connect to ${where}: ${err.message}`);
}
