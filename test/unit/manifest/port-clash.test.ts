// Two apps on one port (src/shared/manifest/port-clash.ts): the rule the Conductor refuses an `up`
// by, and the editor's diagnostic at the `port` line.
import * as assert from 'node:assert/strict';
import { parseManifest } from '../../../src/shared/manifest';
import { portClashDiagnostics, portHolders, type PortUser } from '../../../src/shared/manifest/port-clash';

const web: PortUser = { name: 'web', port: 3000, ingress: true, manifestPath: '/p/web.skr8tr' };

describe('port clash', () => {
  it('an app may not have the port of another app that has an ingress, nor give its own ingress a port another binds', () => {
    assert.deepEqual(portHolders({ name: 'api', port: 3000, ingress: true }, [web]), [web]);
    assert.deepEqual(portHolders({ name: 'api', port: 3000, ingress: false }, [web]), [web]);
    const bound = { ...web, ingress: false };
    assert.deepEqual(portHolders({ name: 'api', port: 3000, ingress: true }, [bound]), [bound]);
  });

  it('two apps that both bind the port themselves may (on different hosts); the same app, another port or none never clash', () => {
    assert.deepEqual(portHolders({ name: 'api', port: 3000, ingress: false }, [{ ...web, ingress: false }]), []);
    assert.deepEqual(portHolders({ name: 'web', port: 3000, ingress: true }, [web]), [], 'a new version of the same app');
    assert.deepEqual(portHolders({ name: 'api', port: 3001, ingress: true }, [web]), []);
    assert.deepEqual(portHolders({ name: 'api', port: null, ingress: false }, [web]), []);
  });

  it('the editor puts the clash on the app\'s `port` line, naming the holder and its manifest', () => {
    const file = '/q/api.skr8tr';
    const r = parseManifest('app api\n  exec ./api\n  port 3000\n', file);
    const [d, ...rest] = portClashDiagnostics(r.apps, [web], file);
    assert.deepEqual(rest, []);
    assert.deepEqual([d!.severity, d!.line, d!.column], ['error', 3, 8]);
    assert.equal(d!.message, 'port 3000 of app api is already the port of app web (/p/web.skr8tr); give api another port, or take web down first (skr8tr down web)');
  });
});
