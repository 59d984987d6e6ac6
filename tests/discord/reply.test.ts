import { describe, expect, it } from 'vitest';
import { embedsAsText, renderNotice } from '../../src/render/discord.js';

describe('embedsAsText (channels without Embed Links)', () => {
  it('keeps title, text, fields, footer and buttons in at most 2,000 characters, saying why it is cut', () => {
    const msg = {
      content: '> the question',
      embeds: [
        {
          title: 'Answer: [x](https://evil.example) <@123>',
          description: Array.from({ length: 60 }, (_, i) => `> A quoted sentence number ${i}.\n[${i}]`).join(
            '\n\n',
          ),
          fields: [{ name: 'Source', value: '[Title](https://example.com) — Sky News, 2023-11-24' }],
          footer: { text: 'Quotes are *verbatim*.' },
        },
      ],
      allowedMentions: { parse: [] as never[] },
      components: [{ type: 1 as const, components: [] }],
    };
    const out = embedsAsText(msg);
    expect(out.embeds).toEqual([]);
    expect(out.allowedMentions).toEqual({ parse: [] });
    expect(out.components).toEqual(msg.components);
    expect([...(out.content ?? '')].length).toBeLessThanOrEqual(2000);
    expect(out.content).toMatch(
      /^> the question\n\n\*\*Answer: \\\[x\\\]\(https:\/\/evil\.example\) \\<@123>\*\*/,
    );
    expect(out.content).toMatch(/Embed Links permission/);
    // The text is cut between sentences, the sources and footer are kept.
    expect(out.content).toContain('> A quoted sentence number 0.');
    expect(out.content).toContain('**Source:** [Title](https://example.com) — Sky News, 2023-11-24');
    expect(out.content).toMatch(/-# Quotes are \\\*verbatim\\\*\.$/);
    const short = embedsAsText(renderNotice('Ask me about police inspections.'));
    expect(short.content).toBe('Ask me about police inspections.');
  });
});
