/**
 * mediant-reset: POST /actions/reset (vendor document section 5.1).
 *
 * With `waitForRestart`, the node keeps the message until the device answers
 * GET /status again (section 8) and sends that status, with the device's
 * answer to the reset in msg.reset. The whole reset, waiting included, holds
 * the device's `reset` claim: a second reset of the same device meanwhile is
 * refused, so a looping flow cannot reset a device again and again.
 */
import { MediantAbortError, MediantError, isMediantError } from '../client/errors';
import { sleep } from '../client/client';
import type { ApiResponse, DeviceStatus, MediantApi } from '../client/types';
import { deviceOf, handleMessages } from './lib/flow-node';
import { t, useRuntimeI18n } from './lib/i18n';
import { registerNode } from './lib/migrations';
import { checks, fromConfig, fromMsgOrConfig } from './lib/overrides';
import type { NodeAPI, Node, NodeDef } from './lib/red';

const SET = 'mediant-reset';
/** First wait after the reset answer, so the device has a moment to go down. */
const FIRST_WAIT_MS = 250;
/**
 * While the device still answers (saving its configuration, waiting for calls
 * to end): poll often at first, so even a quick reboot is seen going down,
 * then once a second.
 */
const UP_POLL_FAST_MS = 250;
const UP_POLL_FAST_FOR_MS = 5_000;
const UP_POLL_MS = 1_000;
/** While it is down: back off from 1 s, doubling, up to 15 s. */
const DOWN_POLL_MIN_MS = 1_000;
const DOWN_POLL_MAX_MS = 15_000;
/** restartTimeout is in seconds; timers take up to 2^31-1 ms. */
const MAX_RESTART_TIMEOUT_S = 2_000_000;

/**
 * Polls GET /status until the device has gone down and answers again. A
 * device that keeps answering has not restarted yet (it may be saving its
 * configuration or waiting for calls to end), so only an answer after at
 * least one failed poll counts.
 */
async function waitUntilBack(
  client: MediantApi,
  signal: AbortSignal,
  timeoutS: number,
  device: string,
): Promise<ApiResponse<DeviceStatus>> {
  const start = Date.now();
  const deadline = start + timeoutS * 1000;
  let seenDown = false;
  let delay = FIRST_WAIT_MS;
  let last: unknown;
  for (;;) {
    const before = deadline - Date.now();
    if (before <= 0) break;
    await sleep(Math.min(delay, before), signal, 'reset');
    const left = deadline - Date.now();
    if (left <= 0) break;
    const giveUp = AbortSignal.timeout(left);
    try {
      const r = await client.getStatus(AbortSignal.any([signal, giveUp]));
      if (seenDown) return r;
      delay = Date.now() - start < UP_POLL_FAST_FOR_MS ? UP_POLL_FAST_MS : UP_POLL_MS;
    } catch (e) {
      if (signal.aborted) throw new MediantAbortError('reset');
      delay = seenDown ? Math.min(delay * 2, DOWN_POLL_MAX_MS) : DOWN_POLL_MIN_MS;
      seenDown = true;
      // A poll cut short by our own deadline says less than the failure before it.
      if (!giveUp.aborted || last === undefined) last = e;
    }
  }
  const key = seenDown ? 'error.notBack' : 'error.notDown';
  const lastText = isMediantError(last) ? last.message : t('error.noAnswer', undefined, SET);
  return Promise.reject(new MediantError('ETIMEOUT', 'reset', t(key, { device, seconds: timeoutS, last: lastText }, SET)));
}

export = function register(RED: NodeAPI): void {
  useRuntimeI18n(RED);
  registerNode(RED, 'mediant-reset', function (this: Node, def: NodeDef) {
    RED.nodes.createNode(this, def);
    handleMessages(this, deviceOf(RED, def), async (msg, { device, signal, progress }) => {
      // Every value is checked before the claim and before any request.
      const saveConfiguration = fromMsgOrConfig(msg, 'saveConfiguration', def.saveConfiguration ?? true, checks.boolean);
      const gracefulTimeout = fromMsgOrConfig(msg, 'gracefulTimeout', def.gracefulTimeout ?? 0, checks.integer(0));
      const waitForRestart = fromMsgOrConfig(msg, 'waitForRestart', def.waitForRestart ?? false, checks.boolean);
      // restartTimeout has no msg override: read from the node only.
      const restartTimeout = waitForRestart
        ? fromConfig(def, 'restartTimeout', 600, checks.integer(1, MAX_RESTART_TIMEOUT_S))
        : 0;

      const release = device.claim('reset');
      try {
        const answer = await device.client.reset({ saveConfiguration, gracefulTimeout }, signal);
        if (!waitForRestart) {
          return { payload: answer.body ?? {}, statusCode: answer.statusCode, summary: t('status.resetSent', undefined, SET) };
        }
        progress(t('status.restarting', undefined, SET), 'waiting');
        const back = await waitUntilBack(device.client, signal, restartTimeout, device.deviceLabel);
        const state = back.body?.operationalState;
        return {
          payload: back.body,
          statusCode: back.statusCode,
          extra: { reset: answer.body ?? {} },
          summary: t('status.back', { state: typeof state === 'string' ? device.client.redact(state).slice(0, 20) : String(back.statusCode) }, SET),
        };
      } finally {
        release();
      }
    });
  });
};
