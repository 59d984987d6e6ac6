import { describe, expect, it } from 'vitest';
import { checkAttachment, DISCORD_ATTACHMENT_HOSTS } from '../../src/discord/upload.js';

const att = (over = {}) => ({
  name: 'a.md',
  url: 'https://cdn.discordapp.com/attachments/1/2/a.md',
  size: 100,
  contentType: 'text/markdown; charset=utf-8',
  ...over,
});

describe('checkAttachment', () => {
  it('accepts .md/.txt text up to 1 MB from Discord’s CDN only', () => {
    expect(checkAttachment(att(), DISCORD_ATTACHMENT_HOSTS)).toBeNull();
    expect(checkAttachment(att({ name: 'a.TXT', contentType: null }), DISCORD_ATTACHMENT_HOSTS)).toBeNull();
    expect(checkAttachment(att({ name: 'a.pdf' }), DISCORD_ATTACHMENT_HOSTS)).toMatch(/not a \.md or \.txt/);
    expect(checkAttachment(att({ size: 2_000_000 }), DISCORD_ATTACHMENT_HOSTS)).toMatch(/2\.0 MB/);
    expect(checkAttachment(att({ contentType: 'image/png' }), DISCORD_ATTACHMENT_HOSTS)).toMatch(
      /image\/png, not text/,
    );
    expect(checkAttachment(att({ url: 'https://evil.example/a.md' }), DISCORD_ATTACHMENT_HOSTS)).toMatch(
      /file servers/,
    );
    expect(checkAttachment(att({ url: 'http://cdn.discordapp.com/a.md' }), DISCORD_ATTACHMENT_HOSTS)).toMatch(
      /not HTTPS/,
    );
    expect(
      checkAttachment(att({ url: 'http://127.0.0.1:5000/attachments/a.md' }), ['127.0.0.1:5000']),
    ).toBeNull();
  });
});
