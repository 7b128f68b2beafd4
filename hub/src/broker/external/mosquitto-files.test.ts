import { describe, expect, it } from 'vitest';
import { mosquittoHash } from './mosquitto-files.ts';

describe('mosquittoHash', () => {
  it("matches a line Debian's mosquitto_passwd 2.0.11 wrote (dev1 / secret1)", () => {
    // `mosquitto_passwd -c -b passwd dev1 secret1` gave:
    // dev1:$7$101$kcqsCDwPlm6eInZG$PL3DSFwXPRyemW3le/dhoIF/QDNlKICCKpVhQyTvkFGO8pC3Zn/3J4PRC3j+88KbrSyB3KzY9oiO03MQNK+CTA==
    const salt = Buffer.from('kcqsCDwPlm6eInZG', 'base64');
    expect(mosquittoHash('secret1', 101, salt)).toBe(
      '$7$101$kcqsCDwPlm6eInZG$PL3DSFwXPRyemW3le/dhoIF/QDNlKICCKpVhQyTvkFGO8pC3Zn/3J4PRC3j+88KbrSyB3KzY9oiO03MQNK+CTA==',
    );
  });

  it('salts every hash anew', () => {
    expect(mosquittoHash('secret1')).not.toBe(mosquittoHash('secret1'));
    expect(mosquittoHash('secret1')).toMatch(/^\$7\$101\$[A-Za-z0-9+/]{16}\$[A-Za-z0-9+/]{86}==$/);
  });
});
