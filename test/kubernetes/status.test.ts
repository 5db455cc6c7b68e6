// kubectl's rollout-status predicate, case by case (kubectl rollout_status.go DeploymentStatusViewer).
import { describe, expect, it } from 'vitest';
import { rfc3339Seconds, rolloutState, type DeploymentJson } from '../../src/kubernetes/status.js';

const dep = (gen: number, obs: number, spec: number | undefined, st: NonNullable<DeploymentJson['status']>, reason?: string): DeploymentJson => ({
  metadata: { generation: gen },
  spec: spec === undefined ? {} : { replicas: spec },
  status: { observedGeneration: obs, ...st, ...(reason ? { conditions: [{ type: 'Progressing', reason, status: 'False' }] } : {}) },
});

describe('rolloutState', () => {
  it.each([
    [dep(3, 2, 2, { replicas: 2, updatedReplicas: 2, availableReplicas: 2 }), 'Waiting for deployment spec update to be observed...', false],
    [dep(3, 3, 2, { replicas: 2 }), 'Waiting for deployment "x" rollout to finish: 0 out of 2 new replicas have been updated...', false],
    [dep(3, 3, 2, { replicas: 3, updatedReplicas: 2, availableReplicas: 2 }), 'Waiting for deployment "x" rollout to finish: 1 old replicas are pending termination...', false],
    [dep(3, 3, 2, { replicas: 2, updatedReplicas: 2, availableReplicas: 1 }), 'Waiting for deployment "x" rollout to finish: 1 of 2 updated replicas are available...', false],
    [dep(3, 3, 2, { replicas: 2, updatedReplicas: 2, availableReplicas: 2 }), 'deployment "x" successfully rolled out', true],
    // spec.replicas unset: the "new replicas" check is skipped, as in kubectl
    [dep(1, 1, undefined, { replicas: 1, updatedReplicas: 1, availableReplicas: 1 }), 'deployment "x" successfully rolled out', true],
  ])('%# → %s', (d, message, done) => {
    const s = rolloutState(d, 'x');
    expect(s.message).toBe(message);
    expect(s.done).toBe(done);
  });

  it('ProgressDeadlineExceeded counts only once the generation is observed, and only by reason', () => {
    expect(rolloutState(dep(2, 2, 2, { replicas: 2 }, 'ProgressDeadlineExceeded'), 'x')).toMatchObject({ deadlineExceeded: true, done: false, message: 'deployment "x" exceeded its progress deadline' });
    expect(rolloutState(dep(3, 2, 2, { replicas: 2 }, 'ProgressDeadlineExceeded'), 'x').deadlineExceeded).toBe(false);
  });

  it('a stale "rolled out" from before our restart was observed is not done', () => {
    const s = rolloutState(dep(2, 2, 2, { replicas: 2, updatedReplicas: 2, availableReplicas: 2 }), 'x', 3);
    expect(s).toMatchObject({ done: false, message: 'Waiting for deployment spec update to be observed...' });
  });

  it('writes restartedAt like Go time.RFC3339 (seconds, no fraction)', () => {
    expect(rfc3339Seconds(new Date('2026-11-21T21:07:51.789Z'))).toBe('2026-11-21T21:07:51Z');
  });
});
