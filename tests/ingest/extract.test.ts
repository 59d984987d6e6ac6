import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { normaliseDate } from '../../src/ingest/dates.js';
import { extractArticle } from '../../src/ingest/extract.js';
import { PAGES_DIR } from '../support/page-server.js';

const page = (name: string): string => readFileSync(path.join(PAGES_DIR, name), 'utf8');
const extract = (name: string, url: string) => extractArticle({ body: page(name), url });

/** Minimal page with the given <head> and a story long enough to count as an article. */
const STORY = Array.from(
  { length: 5 },
  (_, i) =>
    `<p>Paragraph ${i + 1} of the story says that inspectors found the force was not answering emergency calls quickly enough, and that victims waited too long.</p>`,
).join('\n');
const withHead = (head: string, body = `<article><h1>Heading</h1>${STORY}</article>`) =>
  extractArticle({
    body: `<!doctype html><html><head>${head}</head><body>${body}</body></html>`,
    url: 'https://www.example-news.co.uk/news/story-1',
  });

describe('extractArticle on saved news pages', () => {
  it('BBC-like page: metadata from og: and JSON-LD, story verbatim, furniture gone', () => {
    const r = extract('bbc-lincolnshire-engage.html', 'https://www.bbc.co.uk/news/articles/c0lincs4engage');
    expect(r.problems).toEqual([]);
    expect(r.draft).toMatchObject({
      title: 'Lincolnshire Police placed in special measures by inspectors',
      publisher: 'BBC News',
      // 23:30 UTC on 13 June is 00:30 on 14 June in London.
      published: '2024-06-14',
      url: 'https://www.bbc.co.uk/news/articles/c0lincs4engage',
      author: 'Amira Patel',
    });
    expect(r.sources).toEqual({
      title: 'og:title',
      publisher: 'og:site_name',
      published: 'JSON-LD datePublished',
      url: 'canonical link',
    });
    const { paragraphs } = r.draft;
    expect(paragraphs[0]).toBe(
      'Lincolnshire Police has been placed in special measures after inspectors found it was failing to answer emergency calls quickly enough.',
    );
    // Whitespace runs become one space; entities decoded; curly quotes and words untouched.
    expect(paragraphs).toContain(
      'Inspectors found that almost one in five 999 calls was not answered within 10 seconds, and that some victims of domestic abuse waited days for an officer to visit.',
    );
    expect(paragraphs).toContain(
      'His Majesty’s Inspectorate of Constabulary and Fire & Rescue Services (HMICFRS) said the force had been moved into its enhanced level of monitoring, known as Engage, following an inspection in the spring.',
    );
    expect(paragraphs).toContain(
      '“We know we have to do better, and we will,” she said. “We have already recruited extra call handlers and changed how we assess risk when someone first contacts us.”',
    );
    // Every kept paragraph is text that is on the page.
    const flat = page('bbc-lincolnshire-engage.html')
      .replace(/<[^>]+>/g, '')
      .replace(/&amp;/g, '&')
      .replace(/\s+/g, ' ');
    for (const p of paragraphs) expect(flat).toContain(p);
    const all = paragraphs.join('\n');
    for (const furniture of [
      'cookies',
      'Sign up',
      'newsletter',
      'Share',
      'Most read',
      'More on this story',
      'Related topics',
      'Follow BBC',
      'Image caption',
      'What is Engage?',
      'Copyright',
      'iPlayer',
      'Lincolnshire Police placed in special measures by inspectors',
    ])
      expect(all).not.toContain(furniture);
    expect(r.draft.dropped.map((d) => d.reason)).toEqual(
      expect.arrayContaining(['figure caption', 'heading (question)', 'promo: sign-up']),
    );
  });

  it('local paper: <title> minus site, application-name, <time datetime> in the page’s day', () => {
    const r = extract(
      'local-paper-cleveland-peel.html',
      'https://www.teesvalleyherald.example/news/crime/cleveland-police-peel-report-2024-8812345',
    );
    expect(r.problems).toEqual([]);
    expect(r.draft).toMatchObject({
      title: "Cleveland Police 'still requires improvement' in three areas, PEEL report finds",
      publisher: 'Tees Valley Herald',
      published: '2024-02-08',
      url: 'https://www.teesvalleyherald.example/news/crime/cleveland-police-peel-report-2024-8812345',
    });
    expect(r.sources).toEqual({
      title: '<title>',
      publisher: 'application-name',
      published: '<time datetime>',
      url: 'og:url',
    });
    const all = r.draft.paragraphs.join('\n');
    expect(all).toContain(
      'HM Inspector of Constabulary Rachel Nwosu said: “Cleveland Police has improved in many areas, and I am pleased that the force now answers emergency calls promptly.',
    );
    for (const furniture of [
      'Advertisement',
      'Read more',
      'Sign up',
      'Do you have a story',
      'Most Read',
      'Accept all',
      'Comments',
      '©',
    ])
      expect(all).not.toContain(furniture);
  });

  it('wire page: twitter:title, JSON-LD publisher from @graph, article:published_time in its own offset', () => {
    const r = extract('wire-met-response.html', 'https://newswire.example/uk/met-reforms-2023-09-21');
    expect(r.draft).toMatchObject({
      title: 'Met Police says reforms are working as inspectors publish progress letter',
      publisher: 'Newswire Agency',
      // 23:55 at +01:00 is still the 21st where it was published.
      published: '2023-09-21',
      url: 'https://newswire.example/uk/met-reforms-2023-09-21',
      author: 'Sam Okoro',
    });
    expect(r.sources.url).toBe('fetched address');
    expect(r.draft.paragraphs.join('\n')).not.toContain('Reporting by');
    expect(r.draft.paragraphs).toHaveLength(5);
  });

  it('page with no date: draft returned with published null and a problem asking for one', () => {
    const r = extract('no-date-kent-blog.html', 'https://medwayvoice.example/2024/04/kent-custody');
    expect(r.draft.published).toBeNull();
    expect(r.draft.paragraphs.length).toBeGreaterThanOrEqual(5);
    expect(r.problems).toEqual([
      {
        code: 'no-date',
        message: 'no publication date found — give one (the page says it was updated on 2024-04-02)',
        blocking: true,
      },
    ]);
    const all = r.draft.paragraphs.join('\n');
    expect(all).not.toMatch(/cookie|Share this|Like this|Related/);
  });

  it('paywalled page is refused with the reason', () => {
    const r = extract(
      'paywalled-times.html',
      'https://www.dailyledger.example/article/inside-the-force-special-measures-abc123',
    );
    expect(r.problems.map((p) => p.code)).toEqual(['paywall']);
    expect(r.problems[0]?.message).toMatch(/^the article is behind a paywall: only \d+ words can be read/);
    expect(r.problems[0]?.blocking).toBe(true);
  });

  it('index page is not an article', () => {
    const r = extract('index-police-news.html', 'https://www.northernchronicle.example/news/police');
    expect(r.problems[0]).toMatchObject({ code: 'not-article', blocking: true });
    expect(r.problems[0]?.message).toMatch(/index or section page|does not look like a news article/);
  });

  it('too little text is not an article', () => {
    const r = withHead(
      '<meta property="og:title" content="Video: chief constable speaks"><meta property="og:type" content="video">',
      '<main><h1>Video: chief constable speaks</h1><p>Watch the chief constable respond to the report.</p></main>',
    );
    expect(r.problems[0]).toMatchObject({ code: 'not-article', blocking: true });
  });

  it('a marked paywall with the whole text readable is only a warning', () => {
    const r = withHead(
      '<meta property="og:title" content="T"><meta property="og:site_name" content="Example News"><script type="application/ld+json">{"@type":"NewsArticle","isAccessibleForFree":"False","datePublished":"2024-01-05"}</script>',
      `<article>${STORY}${STORY}${STORY}</article>`,
    );
    expect(r.problems).toEqual([
      expect.objectContaining({
        code: 'check',
        blocking: false,
        message: expect.stringMatching(/subscribers/),
      }),
    ]);
  });
});

describe('metadata sources, one at a time', () => {
  it('title: og:title, then twitter:title, then JSON-LD headline, then <title> without the site', () => {
    expect(
      withHead('<title>T4 | Example News</title><meta property="og:title" content="T1">').draft.title,
    ).toBe('T1');
    expect(
      withHead('<title>T4 | Example News</title><meta name="twitter:title" content="T2">').sources.title,
    ).toBe('twitter:title');
    const ld = withHead(
      '<title>T4 - Example News</title><script type="application/ld+json">{"@type":"NewsArticle","headline":"T3"}</script>',
    );
    expect([ld.draft.title, ld.sources.title]).toEqual(['T3', 'JSON-LD headline']);
    expect(withHead('<title>Police chief quits - Example News</title>').draft.title).toBe(
      'Police chief quits',
    );
    expect(withHead('<title>Force in special measures | News | Example Gazette</title>').draft.title).toBe(
      'Force in special measures',
    );
    // og:title keeps a dash that is part of the headline; only the site's own name is cut.
    expect(withHead('<meta property="og:title" content="Kent Police – a force in crisis">').draft.title).toBe(
      'Kent Police – a force in crisis',
    );
    expect(
      withHead(
        '<meta property="og:site_name" content="Sky News"><meta property="og:title" content="Met chief quits | Sky News">',
      ).draft.title,
    ).toBe('Met chief quits');
  });

  it('publisher: og:site_name, JSON-LD publisher, application-name, then the host name', () => {
    expect(withHead('<meta property="og:site_name" content="Sky News">').draft.publisher).toBe('Sky News');
    expect(
      withHead(
        '<script type="application/ld+json">{"@type":"NewsArticle","publisher":{"@type":"Organization","name":"PA Media"}}</script>',
      ).draft.publisher,
    ).toBe('PA Media');
    expect(withHead('<meta name="application-name" content="Example Gazette">').draft.publisher).toBe(
      'Example Gazette',
    );
    const host = withHead('');
    expect(host.draft.publisher).toBe('example-news.co.uk');
    expect(host.problems.map((p) => p.code)).toContain('check');
  });

  it('date: article:published_time, JSON-LD, <time datetime>, meta date — each as the page’s day', () => {
    const date = (head: string, body?: string) => withHead(head, body).draft.published;
    expect(date('<meta property="article:published_time" content="2023-11-24T07:05:00+00:00">')).toBe(
      '2023-11-24',
    );
    expect(
      date(
        '<script type="application/ld+json">{"@type":"NewsArticle","datePublished":"2023-07-01T23:15:00Z"}</script>',
      ),
    ).toBe('2023-07-02');
    expect(
      date('', `<article><time datetime="2022-07-07T10:00:00+01:00">7 July</time>${STORY}</article>`),
    ).toBe('2022-07-07');
    expect(date('<meta name="date" content="2021-03-04">')).toBe('2021-03-04');
    expect(date('<meta name="pubdate" content="20210305">')).toBe('2021-03-05');
    expect(date('<meta name="DC.date" content="6 March 2021">')).toBe('2021-03-06');
    // A <time> in a related-links block does not date the story.
    expect(
      date(
        '',
        `<article>${STORY}</article><aside class="related"><time datetime="2020-01-01">old</time></aside>`,
      ),
    ).toBeNull();
  });

  it('url: canonical, then og:url, then the fetched address; another site’s canonical is ignored', () => {
    expect(withHead('<link rel="canonical" href="/news/story-1?ref=x">').draft.url).toBe(
      'https://www.example-news.co.uk/news/story-1?ref=x',
    );
    expect(
      withHead('<meta property="og:url" content="https://example-news.co.uk/news/story-1">').draft.url,
    ).toBe('https://example-news.co.uk/news/story-1');
    const other = withHead('<link rel="canonical" href="https://elsewhere.example/x">');
    expect(other.draft.url).toBe('https://www.example-news.co.uk/news/story-1');
    expect(other.problems.map((p) => p.message).join()).toMatch(/another site/);
    expect(withHead('<link rel="canonical" href="javascript:alert(1)">').draft.url).toBe(
      'https://www.example-news.co.uk/news/story-1',
    );
  });

  it('paragraphs: one per <p>, heading, list item and quotation; <br> is a space', () => {
    const r = withHead(
      '<meta property="og:title" content="Story">',
      `<article>${STORY}<ul><li>First   point,
        over two lines.</li><li>Second point.</li></ul><blockquote><p>A quoted line.</p></blockquote><p>One<br>line.</p></article>`,
    );
    expect(r.draft.paragraphs.slice(-4)).toEqual([
      'First point, over two lines.',
      'Second point.',
      'A quoted line.',
      'One line.',
    ]);
  });

  it('plain text: blank-line paragraphs, first short line as title, date needed', () => {
    const body = `Force enters special measures\n\nThe force was placed in special measures on Friday,\nthe inspectorate said.\n\nSecond paragraph here.\n`;
    const r = extractArticle({ body, contentType: 'text/plain', url: 'https://example.org/a.txt' });
    expect(r.draft.title).toBe('Force enters special measures');
    expect(r.draft.paragraphs).toEqual([
      'The force was placed in special measures on Friday, the inspectorate said.',
      'Second paragraph here.',
    ]);
    expect(r.problems.map((p) => p.code)).toEqual(expect.arrayContaining(['not-article', 'no-date']));
  });
});

describe('normaliseDate', () => {
  it.each([
    ['2023-11-24', '2023-11-24'],
    ['2023-11-24T07:05:00+00:00', '2023-11-24'],
    ['2023-11-24T23:59:59Z', '2023-11-24'],
    ['2023-06-10T23:30:00Z', '2023-06-11'],
    ['2023-06-10T23:30:00.000+0000', '2023-06-11'],
    ['2023-06-10T23:30:00+01:00', '2023-06-10'],
    ['2023-06-10T01:30:00+05:30', '2023-06-10'],
    ['2023-06-10 22:00', '2023-06-10'],
    ['2023/06/10', '2023-06-10'],
    ['20230610', '2023-06-10'],
    ['10 June 2023', '2023-06-10'],
    ['Saturday 10th June 2023', '2023-06-10'],
    ['June 10, 2023', '2023-06-10'],
    ['Sat, 10 Jun 2023 23:30:00 GMT', '2023-06-11'],
    ['2023-02-30', null],
    ['yesterday', null],
    ['', null],
  ])('%s → %s', (raw, day) => {
    expect(normaliseDate(raw)).toBe(day);
  });
});
