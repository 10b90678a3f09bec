import dgram from 'node:dgram';
import http from 'node:http';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';

/** Real listeners standing in for an operator's webhook receiver, syslog server and mailbox. */
export interface Receivers {
  webhookUrl: string;
  webhook: { body: string; headers: http.IncomingHttpHeaders }[];
  /** The webhook's answer; set to 503 to take the receiver "down". */
  status: { code: number };
  udpPort: number;
  udp: string[];
  tcpPort: number;
  tcp: string[];
  smtpUrl: string;
  mail: string[];
  close(): Promise<void>;
}

export async function receivers(): Promise<Receivers> {
  const webhook: Receivers['webhook'] = [];
  const status = { code: 204 };
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString('utf8')));
    req.on('end', () => {
      if (status.code < 300) webhook.push({ body, headers: req.headers });
      res.writeHead(status.code).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));

  const udp: string[] = [];
  const socket = dgram.createSocket('udp4');
  socket.on('message', (m) => udp.push(m.toString('utf8')));
  await new Promise<void>((r) => socket.bind(0, '127.0.0.1', r));

  const tcp: string[] = [];
  const tcpServer = net.createServer((c) => {
    let data = '';
    c.on('data', (b: Buffer) => (data += b.toString('utf8')));
    c.on('end', () => tcp.push(data));
  });
  await new Promise<void>((r) => tcpServer.listen(0, '127.0.0.1', r));

  const mail: string[] = [];
  const smtp = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    onData(stream, _session, callback) {
      let data = '';
      stream.on('data', (c: Buffer) => (data += c.toString('utf8')));
      stream.on('end', () => {
        mail.push(data);
        callback();
      });
    },
  });
  await new Promise<void>((r) => smtp.listen(0, '127.0.0.1', r));
  const smtpPort = (smtp.server.address() as AddressInfo).port;

  return {
    webhookUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`,
    webhook,
    status,
    udpPort: socket.address().port,
    udp,
    tcpPort: (tcpServer.address() as AddressInfo).port,
    tcp,
    smtpUrl: `smtp://127.0.0.1:${smtpPort}`,
    mail,
    close: async () => {
      server.close();
      socket.close();
      tcpServer.close();
      await new Promise<void>((r) => smtp.close(() => r()));
    },
  };
}

/** Polls (without sleeping on the test clock) until a real socket has delivered. */
export async function until(check: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (check()) return;
    await new Promise((r) => setImmediate(r));
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`timed out waiting for ${what}`);
}
