// Raw access to the Conductor's interfaces for the tests that send it bad or unauthenticated
// input: bytes on the agent port, HTTP requests with exactly the headers given (no token added).
import * as http from 'node:http';
import * as net from 'node:net';
import { readConductorInfo } from '../../src/shared/home';

export interface RawAnswer {
  status: number;
  body: string;
}

/** Sends bytes to the Conductor's agent port; resolves with what it answered once it closed the connection. */
export function agentPort(home: string, payload: Buffer | string): Promise<string> {
  const info = readConductorInfo(home)!;
  const [host, port] = [info.agents.replace(/:\d+$/, ''), Number(info.agents.split(':').pop())];
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host, port });
    let received = '';
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`the Conductor did not close the connection; it sent: ${received}`));
    }, 10_000);
    socket.on('data', (d) => (received += d.toString()));
    socket.on('error', () => {});
    socket.on('close', () => {
      clearTimeout(timer);
      resolve(received);
    });
    socket.write(payload);
  });
}

/** One HTTP request as given: the options' path, headers and the body, nothing added. */
export function rawRequest(options: http.RequestOptions, body?: string | Buffer): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const req = http.request(options, (res) => {
      let text = '';
      res.on('data', (c) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
    });
    req.on('error', reject);
    req.setTimeout(10_000, () => req.destroy(new Error(`no answer to ${options.method ?? 'GET'} ${options.path}`)));
    req.end(body);
  });
}
