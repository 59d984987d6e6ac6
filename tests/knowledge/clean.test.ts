import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { cleanParagraphs } from '../../src/knowledge/clean.js';
import { plainLine } from '../../src/knowledge/markdown.js';

const seedsDir = fileURLToPath(new URL('../fixtures/shared/seeds/', import.meta.url));
const fixturesDir = fileURLToPath(new URL('../fixtures/furniture/', import.meta.url));

/** Expected furniture for one fixture article, stored beside it as `<name>.json`. */
interface FixtureExpectation {
  style: string;
  furniture: string[];
}

function lines(path: string): string[] {
  return readFileSync(path, 'utf8').split('\n');
}

function nonBlank(input: readonly string[]): string[] {
  return input.map((l) => l.trim()).filter((l) => l !== '');
}

function droppedTexts(input: readonly string[]): string[] {
  return cleanParagraphs(input).dropped.map((d) => d.text);
}

function keptTexts(input: readonly string[]): string[] {
  return cleanParagraphs(input).kept.map((k) => k.text);
}

describe('cleanParagraphs on the seed articles', () => {
  it('drops exactly the Sky News promos and the "Read more from Sky News" links', () => {
    const input = lines(`${seedsDir}000_1765b456dc4bf613.txt`);
    const result = cleanParagraphs(input);
    expect(result.dropped.map((d) => d.text)).toEqual([
      'Be the first to get Breaking News',
      'Install the Sky News app for free',
      'Read more from Sky News:',
      'Children find dead dog in suitcase',
      '34 arrested after riots in Dublin after stabbings',
    ]);
    expect(result.dropped.map((d) => d.index)).toEqual([13, 14, 15, 16, 17]);
    expect(result.dropped[1]?.reason).toBe('promo: app prompt');
    expect(result.dropped[3]?.reason).toBe('headline after "Read more from Sky News" marker');
    const furniture = new Set(result.dropped.map((d) => d.text));
    expect(result.kept.map((k) => k.text)).toEqual(nonBlank(input).filter((l) => !furniture.has(l)));
  });

  it('keeps every line of the Press Association copy, which has no furniture', () => {
    const input = lines(`${seedsDir}004_c2bed89ddd0e713f.txt`);
    const result = cleanParagraphs(input);
    expect(result.dropped).toEqual([]);
    expect(result.kept.map((k) => k.text)).toEqual(nonBlank(input));
  });
});

describe('cleanParagraphs on other publishers’ page layouts', () => {
  const names = readdirSync(fixturesDir)
    .filter((f) => f.endsWith('.txt'))
    .sort();

  it('has fixtures to check', () => {
    expect(names.length).toBeGreaterThanOrEqual(4);
  });

  for (const name of names) {
    it(`${name}: drops every furniture line and keeps every prose line`, () => {
      const input = lines(`${fixturesDir}${name}`);
      const expected = JSON.parse(
        readFileSync(`${fixturesDir}${name.replace(/\.txt$/, '.json')}`, 'utf8'),
      ) as FixtureExpectation;
      for (const f of expected.furniture)
        expect(nonBlank(input), `fixture lists a line it lacks: ${f}`).toContain(f);
      const furniture = new Set(expected.furniture);
      expect(droppedTexts(input)).toEqual(expected.furniture);
      expect(keptTexts(input)).toEqual(nonBlank(input).filter((l) => !furniture.has(l)));
    });
  }
});

describe('lines that must survive on their own', () => {
  const prose = [
    'It was rejected.',
    "The force will follow the inspectors' recommendations.",
    'Officers did not follow up on calls.',
    'The force said: “We accept the findings.”',
    '“It needs to improve the way it manages victims’ calls, so that all vulnerable people are identified.',
    '“We will work closely with the force',
    'Inspectors rated the force’s response to the public “inadequate”',
    'The force has launched an app that lets victims track their case.',
    'Victims can download the app to follow their case, the force said.',
    'Residents were urged to share their views with the force.',
    'The force posted an apology on Facebook.',
    'Chief Constable Craig Guildford said:',
    'Reporting by victims has risen by 20% since the new system was introduced.',
    'Anyone with information should call 0800 555 111.',
    'Contact with victims was poor, inspectors said.',
    'Published on Thursday, the report found the force was failing victims.',
    'By the time inspectors arrived, the force had already changed its operating model.',
    'More than 2,000 investigations were unassigned, the report found.',
    'Related offences were not always linked, inspectors said.',
    '• Investigations are not always effective or timely',
    '- the force does not understand the demand it faces',
    'The force is not supervising investigations well enough and would not comment further until the report is out',
    'LONDON, May 2 (Reuters) - The inspectorate placed the force into special measures.',
    '“Of course we are disappointed, we want to be much better at this.”',
    'Responding to the public: inadequate',
    'In a statement, the Met said:',
    'Share of calls answered within 10 seconds fell to 60%.',
  ];
  for (const line of prose) {
    it(`keeps: ${line}`, () => {
      const { listItem, text } = plainLine(line);
      expect(cleanParagraphs([line])).toEqual({
        kept: [{ index: 0, text, listItem, section: null }],
        dropped: [],
      });
    });
  }
});

describe('lines that are furniture on their own', () => {
  const furniture: ReadonlyArray<readonly [string, string]> = [
    ['Download the Northvale Echo app', 'promo: app prompt'],
    ['Get the free app for the latest news', 'promo: app prompt'],
    ['Subscribe to our newsletter', 'promo: sign-up'],
    ['Sign up for breaking news alerts.', 'promo: sign-up'],
    ['Follow us on Twitter', 'promo: social follow'],
    ['Follow the Echo on Instagram and TikTok.', 'promo: social follow'],
    ['Click here to read the full report', 'promo: click prompt'],
    ['Advertisement', 'advertisement'],
    ['Sponsored', 'advertisement'],
    ['Story continues below advertisement', 'advertisement'],
    ['We use cookies to improve your experience.', 'cookie notice'],
    ['Image: PA', 'media caption/credit'],
    ['Pic: Reuters', 'media caption/credit'],
    ['Getty Images', 'image caption/credit'],
    ['West Midlands Police Chief Constable Craig Guildford (Jacob King/PA)', 'image caption/credit'],
    ['Copyright 2024 Northvale Echo. All rights reserved.', 'copyright'],
    ['© Press Association 2024', 'copyright'],
    ['Reporting by Jane Doe', 'reporting credit'],
    ['(Reporting by Harriet Dunmore; editing by Kevin Ashe)', 'reporting credit'],
    ['Watch: Chief constable responds to report', 'promo: watch/listen'],
    ['Listen: The Crime Desk podcast', 'promo: watch/listen'],
    ['Related: Force placed in special measures', 'related link after "Related"'],
    ['Trending', 'link-list marker'],
    ['You may also like', 'link-list marker'],
    ['Top stories', 'link-list marker'],
    ['https://www.example.com/news/police-123', 'link'],
    ['Updated 10:32 GMT', 'timestamp'],
    ['3 hours ago', 'timestamp'],
    ['Key findings', 'heading'],
    ['Key findings:', 'heading'],
    ['Why was the force put in Engage?', 'heading (question)'],
    ['The BBC is not responsible for the content of external sites.', 'page chrome'],
    ['Get Sky News on WhatsApp', 'promo: social follow'],
    ['Want the latest news first? Sign up to our newsletter here.', 'promo: newsletter'],
  ];
  for (const [line, reason] of furniture) {
    it(`drops (${reason}): ${line}`, () => {
      expect(cleanParagraphs([line])).toEqual({ kept: [], dropped: [{ index: 0, text: line, reason }] });
    });
  }
});

describe('related-link runs', () => {
  it('drops headline-like lines after a marker until real prose returns', () => {
    const input = [
      'The force was moved into Engage in October.',
      'Read more:',
      'Force "not fit for purpose", says report',
      'Is your force in special measures? Full list of the forces under enhanced monitoring by the inspectorate',
      'Chief constable says the decision was "unfair"',
      'The force said: “We accept the findings.”',
      'Inspectors rated the force’s response to the public “inadequate”',
    ];
    const result = cleanParagraphs(input);
    expect(result.dropped.map((d) => [d.index, d.reason])).toEqual([
      [1, 'link-list marker'],
      [2, 'headline after "Read more" marker'],
      [3, 'headline after "Read more" marker'],
      [4, 'headline after "Read more" marker'],
    ]);
    expect(result.kept.map((k) => k.index)).toEqual([0, 5, 6]);
  });

  it('ends a run at a long unpunctuated paragraph, which is prose that lost its full stop', () => {
    const long =
      'The force said it had been open and transparent with inspectors throughout and would not comment further until the full report was published in the spring';
    expect(keptTexts(['Most read', 'Man charged after stabbing', long])).toEqual([long]);
  });

  it('drops a whole "skip past … promotion" block, prose-looking lines included', () => {
    const input = [
      'skip past newsletter promotion',
      'Our morning email breaks down the key stories of the day.',
      'after newsletter promotion',
      'Inspectors found the force was failing victims.',
    ];
    expect(keptTexts(input)).toEqual(['Inspectors found the force was failing victims.']);
  });

  it('drops everything after an end-of-story marker', () => {
    const input = ['The force will return to routine monitoring.', '- ENDS -', 'The report is online.'];
    expect(cleanParagraphs(input).dropped.map((d) => d.reason)).toEqual([
      'end-of-story marker',
      'after "- ENDS -" marker',
    ]);
  });
});

describe('cleanParagraphs bookkeeping', () => {
  it('skips blank lines silently and reports original line indexes', () => {
    const result = cleanParagraphs(['', '  First paragraph here.  ', '   ', 'Advertisement', 'Second one.']);
    expect(result.kept.map(({ index, text }) => ({ index, text }))).toEqual([
      { index: 1, text: 'First paragraph here.' },
      { index: 4, text: 'Second one.' },
    ]);
    expect(result.dropped).toEqual([{ index: 3, text: 'Advertisement', reason: 'advertisement' }]);
  });

  it('accounts for every non-blank line exactly once, in order: dropped as written, kept as read', () => {
    const pool = [
      ...nonBlank(lines(`${seedsDir}000_1765b456dc4bf613.txt`)),
      ...readdirSync(fixturesDir)
        .filter((f) => f.endsWith('.txt'))
        .flatMap((f) => nonBlank(lines(`${fixturesDir}${f}`))),
      '',
      '   ',
    ];
    fc.assert(
      fc.property(fc.array(fc.oneof(fc.constantFrom(...pool), fc.string()), { maxLength: 40 }), (input) => {
        const { kept, dropped } = cleanParagraphs(input);
        const all = [...kept, ...dropped].sort((a, b) => a.index - b.index);
        const expected = input.flatMap((text, index) =>
          text.trim() === '' ? [] : [{ index, text: text.trim() }],
        );
        expect(all.map(({ index }) => index)).toEqual(expected.map(({ index }) => index));
        for (const d of dropped) expect(d.text).toBe(input[d.index]?.trim());
        for (const k of kept) expect(k.text).toBe(plainLine(input[k.index] ?? '').text);
        for (const part of [kept, dropped]) {
          expect(part.map((p) => p.index)).toEqual([...part.map((p) => p.index)].sort((a, b) => a - b));
        }
        for (const d of dropped) expect(d.reason.length).toBeGreaterThan(0);
      }),
    );
  });
});

describe('articles pasted with their Markdown', () => {
  const page = [
    '# Kent Police placed in special measures',
    'By **Jane Smith**, *Crime reporter*',
    'Kent Police has been placed into special measures after [a damning report](https://example.com/r) found officers were failing victims.',
    '## What the inspectors found',
    '- Calls from the public were not answered quickly enough',
    '2. Crimes were not always recorded correctly.',
    '> "This is a force that has lost its way," said HM Inspector Roy Wilsher.',
    '![Kent Police headquarters](https://example.com/hq.jpg)',
    '---',
    '## More on this story',
    '- [Kent council tax to rise](https://example.com/x)',
    '[Man charged after Maidstone crash](https://example.com/y)',
  ];

  it('quotes what a reader sees: no link addresses, emphasis, list or quote markers', () => {
    expect(cleanParagraphs(page).kept.map((k) => [k.text, k.listItem, k.section])).toEqual([
      [
        'Kent Police has been placed into special measures after a damning report found officers were failing victims.',
        false,
        'Kent Police placed in special measures',
      ],
      ['Calls from the public were not answered quickly enough', true, 'What the inspectors found'],
      ['Crimes were not always recorded correctly.', true, 'What the inspectors found'],
      [
        '"This is a force that has lost its way," said HM Inspector Roy Wilsher.',
        false,
        'What the inspectors found',
      ],
    ]);
  });

  it('drops headings, images, rules and the links under a "More on this story" heading', () => {
    const reasons = new Map(cleanParagraphs(page).dropped.map((d) => [d.index, d.reason]));
    expect(reasons.get(0)).toBe('heading');
    expect(reasons.get(7)).toBe('image');
    expect(reasons.get(8)).toBe('Markdown rule');
    expect(reasons.get(9)).toBe('link-list marker');
    expect(reasons.get(10)).toMatch(/after "More on this story" marker/);
    expect(reasons.get(11)).toMatch(/after "More on this story" marker/);
  });

  it('leaves text without Markdown exactly as it is', () => {
    for (const line of ['Mr. Smith said 2 * 3 = 6.', 'It cost £2.3m — a record.', '“We will act,” she said.'])
      expect(plainLine(line)).toEqual({ text: line, block: null, listItem: false });
  });
});

describe('lists without bullets', () => {
  it('keeps the short lines after a sentence ending in a colon as its list, not as sub-headings', () => {
    const { kept, dropped } = cleanParagraphs([
      'According to the inspectorate, the following forces are currently in Engage:',
      'Wiltshire Police – since September 2023',
      'Gwent Police – since October 2023',
      'Which forces have come out of special measures?',
      'Gloucestershire Constabulary left Engage in May 2024.',
      'Related Topics',
    ]);
    expect(kept.map((k) => [k.text, k.listItem])).toEqual([
      ['According to the inspectorate, the following forces are currently in Engage:', false],
      ['Wiltshire Police – since September 2023', true],
      ['Gwent Police – since October 2023', true],
      ['Gloucestershire Constabulary left Engage in May 2024.', false],
    ]);
    expect(dropped.map((d) => d.reason)).toEqual(['heading (question)', 'link-list marker']);
  });
});

describe('force website chrome', () => {
  it.each([
    'Was this page helpful?',
    'Report a crime online or call 101.',
    'In an emergency always call 999.',
  ])('drops %j', (line) => {
    expect(cleanParagraphs([line]).kept).toEqual([]);
  });
});
