// The HCL writer: what it escapes, and that HashiCorp's parser reads back exactly what was meant.
import * as assert from 'node:assert/strict';
import { attr, block, Heredoc, hcl, quote } from '../../../src/export/hcl';
import { parseHcl } from './fixtures';

describe('the HCL writer', () => {
  it('escapes quotes, backslashes, control characters and template openings', () => {
    assert.equal(quote('a "b" \\ c\nd\te'), '"a \\"b\\" \\\\ c\\nd\\te"');
    assert.equal(quote('${HOME} and %{ if }'), '"$${HOME} and %%{ if }"');
    assert.equal(quote('port ${NOMAD_PORT_app}'), '"port ${NOMAD_PORT_app}"', "Nomad's runtime variables stay");
    assert.equal(quote('$$ and $ {x}'), '"$$ and $ {x}"');
  });

  it('aligns a run of attributes and separates blocks, as nomad fmt does', () => {
    const text = hcl([block('job', ['x'], [attr('type', 'service'), attr('count_of_things', 2), block('network', [], [block('port', ['app'], [])])])], ['header']);
    assert.equal(
      text,
      ['# header', '', 'job "x" {', '  type            = "service"', '  count_of_things = 2', '', '  network {', '    port "app" {}', '  }', '}', ''].join('\n'),
    );
  });

  it('what it writes parses back with the values it was given', async () => {
    const tricky = ['plain', 'quote " and \\ backslash', 'new\nline', '${not_interpolated}', '%{not_a_directive}', 'ünïcode ✓'];
    const text = hcl([
      block('job', ['j'], [
        attr('list', tricky),
        attr('flag', true),
        attr('n', 42),
        attr('data', new Heredoc('EOT\n{{ with x }}${y}{{ end }}\n')),
      ]),
    ]);
    const parsed = await parseHcl('t.hcl', text);
    const job = parsed.job.j[0];
    assert.equal(job.flag, true);
    assert.equal(job.n, 42);
    // hcl2json gives template expressions back as written: escaped openings stay escaped, the rest is the value.
    assert.deepEqual(job.list, ['plain', 'quote " and \\ backslash', 'new\nline', '$${not_interpolated}', '%%{not_a_directive}', 'ünïcode ✓']);
    assert.equal(job.data, 'EOT\n{{ with x }}$${y}{{ end }}\n', 'a heredoc whose text holds the marker gets another marker');
  });
});
