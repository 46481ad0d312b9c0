// Comparing a presented token with the expected one in constant time.
import * as crypto from 'node:crypto';

export function tokensEqual(presented: string, expected: string): boolean {
  const a = crypto.createHash('sha256').update(presented).digest();
  const b = crypto.createHash('sha256').update(expected).digest();
  return crypto.timingSafeEqual(a, b);
}
