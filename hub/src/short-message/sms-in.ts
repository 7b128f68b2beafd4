import { GATEWAY_PATH } from './routes.ts';
import { SIGNATURE_HEADER, sign } from './signature.ts';

/**
 * `steppelink-hub sms-in`: hands one received SMS to the running hub's inbound gateway, for a GSM
 * modem on the hub machine run by gammu-smsd (`RunOnReceive = steppelink-hub sms-in`). gammu-smsd
 * closes the program's standard input and passes the message in the environment (gammu-smsd-run(7)):
 * SMS_MESSAGES parts, SMS_<n>_NUMBER the sender, DECODED_<n>_TEXT / SMS_<n>_TEXT the text; the
 * message ids it appends as arguments become the gateway message id, so a re-run is answered, not
 * refused. `--from` and `--text` override the environment. The POST is signed with
 * STEPPELINK_GATEWAY_SECRET to STEPPELINK_HUB_URL (default http://127.0.0.1:<STEPPELINK_HTTP_PORT
 * or 8080>). Exit code 0 accepted, 1 refused or the hub unreachable, 2 usage.
 */
export async function smsIn(
  args: readonly string[],
  flags: { from?: string; text?: string },
  env: NodeJS.ProcessEnv,
  io: { stdout(l: string): void; stderr(l: string): void },
  now = Date.now(),
): Promise<number> {
  const secret = env.STEPPELINK_GATEWAY_SECRET;
  if (!secret) {
    io.stderr('sms-in: set STEPPELINK_GATEWAY_SECRET (the same value the hub has)');
    return 2;
  }
  const parts = Math.max(1, Number(env.SMS_MESSAGES ?? '1') || 1);
  const from = flags.from ?? env.SMS_1_NUMBER;
  let text = flags.text;
  if (text === undefined) {
    const decoded = env.DECODED_1_TEXT;
    text = decoded ?? Array.from({ length: parts }, (_, i) => env[`SMS_${i + 1}_TEXT`] ?? '').join('');
  }
  if (!from || !text) {
    io.stderr('sms-in: no message: pass --from NUMBER --text TEXT, or run it from gammu-smsd RunOnReceive');
    return 2;
  }
  const base = env.STEPPELINK_HUB_URL ?? `http://127.0.0.1:${env.STEPPELINK_HTTP_PORT ?? '8080'}`;
  const body = JSON.stringify({
    path: 'sms',
    from: from.replace(/[^\d+]/g, ''),
    body: text,
    ...(args[0] ? { messageId: `gammu:${args[0]}` } : {}),
  });
  try {
    const res = await fetch(new URL(GATEWAY_PATH, base), {
      method: 'POST',
      headers: { 'content-type': 'application/json', [SIGNATURE_HEADER]: sign(secret, body, now) },
      body,
      signal: AbortSignal.timeout(20_000),
    });
    const answer = await res.text();
    if (res.ok) {
      io.stdout(answer);
      return 0;
    }
    io.stderr(`sms-in: the hub answered HTTP ${res.status}: ${answer}`);
    return 1;
  } catch (e) {
    io.stderr(`sms-in: could not reach the hub at ${base}: ${(e as Error).message}`);
    return 1;
  }
}
