// Who may connect and say hello how often: per source address a rack booting together gets
// through and a password-guessing loop does not; loopback (the controller, local tools) is free.
import { isLoopback, RateLimiter } from '../auth/rate-limiter.js';
import type { Principal } from '../broker/access-policy.js';
import type { Clock } from '../host/clock.js';
import type { RateLimit, RateLimits } from './controller-options.js';

/** The broker's admission hooks and the router's claim limit, from one set of rate limits. */
export function makeAdmission(limits: RateLimits, clock: Clock) {
  const limiter = (l: RateLimit) => new RateLimiter({ ...l, now: () => clock.now().getTime() });
  const connections = limiter(limits.connectionsPerAddress);
  const hellosByAddress = limiter(limits.hellosPerAddress);
  const hellosByClaim = limiter(limits.hellosPerClaim);
  const claims = limiter(limits.claimsPerNode);
  return {
    admit: (address: string | undefined) => isLoopback(address) || connections.take(address ?? 'unknown'),
    admitHello: (address: string | undefined, principal: Principal) =>
      (principal.kind !== 'claim' || hellosByClaim.take(principal.claimId)) &&
      (isLoopback(address) || hellosByAddress.take(address ?? 'unknown')),
    admitClaim: (nodeId: string) => claims.take(nodeId),
  };
}
