// What to do about a replica that failed while starting, read from its last lines of output. Pure.
import type { AppSpec } from '../shared/manifest/model';

/** "Address already in use" as Node, Python, Go, Java, Ruby, Rust and C programs say it. */
const ADDRESS_IN_USE = /EADDRINUSE|address already in use|BindException|Only one usage of each socket address/i;

/**
 * The most common first mistake: a program that binds the manifest's `port` itself, which the
 * ingress holds, instead of the port each replica is given in PORT.
 */
export function startFailureHint(spec: AppSpec, output: readonly string[]): string | null {
  if (!spec.ingress || spec.port === null) return null;
  if (!output.some((line) => ADDRESS_IN_USE.test(line))) return null;
  return `it tried to listen on ${spec.port}, which the ingress holds: make it listen on $PORT (given to each replica), or add "ingress off"`;
}
