import { JetStreamApiError } from '@nats-io/jetstream';
import { errors } from '@nats-io/transport-node';
import { describe, expect, it } from 'vitest';
import { natsFailure } from '../../src/db/nats/session.js';

const apiError = (err_code: number, description: string) =>
  new JetStreamApiError({ code: 400, err_code, description });

describe('NATS errors as fail or info', () => {
  it('a write the server refused surely did not happen', () => {
    expect(natsFailure(apiError(10071, 'wrong last sequence: 5'), false)).toEqual({
      type: 'fail',
      error: 'wrong last sequence: 5 (err_code 10071)',
    });
  });

  it('a write that timed out or lost its connection may have happened', () => {
    expect(natsFailure(new errors.TimeoutError(), false).type).toBe('info');
    expect(natsFailure(new errors.ClosedConnectionError(), false).type).toBe('info');
    // An API error faultline does not know to be a refusal stays in doubt.
    expect(natsFailure(apiError(10008, 'JetStream system temporarily unavailable'), false).type).toBe('info');
  });

  it('a read changes nothing: any error is a fail', () => {
    expect(natsFailure(new errors.TimeoutError(), true).type).toBe('fail');
  });
});
