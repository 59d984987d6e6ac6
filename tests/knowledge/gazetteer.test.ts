import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createGazetteer } from '../../src/knowledge/gazetteer.js';
import { type Force, forcesFileSchema } from '../../src/knowledge/schema.js';

const raw: unknown = JSON.parse(
  readFileSync(new URL('../../knowledge/forces.json', import.meta.url), 'utf8'),
);
const forces: Force[] = forcesFileSchema.parse(raw);
const g = createGazetteer(forces);

const DATA_POLICE_UK_43 = [
  'avon-and-somerset',
  'bedfordshire',
  'cambridgeshire',
  'cheshire',
  'city-of-london',
  'cleveland',
  'cumbria',
  'derbyshire',
  'devon-and-cornwall',
  'dorset',
  'durham',
  'dyfed-powys',
  'essex',
  'gloucestershire',
  'greater-manchester',
  'gwent',
  'hampshire',
  'hertfordshire',
  'humberside',
  'kent',
  'lancashire',
  'leicestershire',
  'lincolnshire',
  'merseyside',
  'metropolitan',
  'norfolk',
  'north-wales',
  'north-yorkshire',
  'northamptonshire',
  'northumbria',
  'nottinghamshire',
  'south-wales',
  'south-yorkshire',
  'staffordshire',
  'suffolk',
  'surrey',
  'sussex',
  'thames-valley',
  'warwickshire',
  'west-mercia',
  'west-midlands',
  'west-yorkshire',
  'wiltshire',
];

const key = (s: string): string =>
  s
    .toLowerCase()
    .replace(/&/g, ' and ')
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();
const slugsOf = (text: string): string[] => g.mentions(text).map((m) => m.slug);
const questionSlugs = (q: string): string[] => g.findInQuestion(q).map((m) => m.slug);

describe('knowledge/forces.json', () => {
  it('validates against forcesFileSchema', () => {
    expect(forcesFileSchema.safeParse(raw).success).toBe(true);
  });

  it('has exactly the 43 data.police.uk territorial forces flagged in_43, plus five others', () => {
    const in43 = forces.filter((f) => f.in_43).map((f) => f.slug);
    expect([...in43].sort()).toEqual(DATA_POLICE_UK_43);
    expect(forces).toHaveLength(48);
    for (const f of forces.filter((x) => x.in_43)) {
      expect(f.kind).toBe('territorial');
      expect(['England', 'Wales']).toContain(f.nation);
    }
    expect(forces.filter((f) => f.nation === 'Wales').map((f) => f.slug)).toEqual([
      'dyfed-powys',
      'gwent',
      'north-wales',
      'south-wales',
    ]);
    const others = forces.filter((f) => !f.in_43).map((f) => f.slug);
    expect(others).toEqual([
      'police-scotland',
      'northern-ireland',
      'british-transport-police',
      'civil-nuclear-constabulary',
      'ministry-of-defence-police',
    ]);
  });

  it('keeps the order: England alphabetically, then Wales alphabetically, then the others', () => {
    const england = forces.filter((f) => f.nation === 'England').map((f) => f.slug);
    expect(england).toEqual([...england].sort());
    const nations = forces.map((f) => f.nation);
    const lastEngland = nations.lastIndexOf('England');
    const firstWales = nations.indexOf('Wales');
    const lastWales = nations.lastIndexOf('Wales');
    expect(lastEngland).toBeLessThan(firstWales);
    expect(lastWales).toBe(42);
  });

  it('shares no slug, name or alias between two forces', () => {
    const owner = new Map<string, string>();
    for (const f of forces) {
      for (const s of [f.slug, f.name, ...f.aliases]) {
        const k = key(s);
        const prior = owner.get(k);
        expect(prior === undefined || prior === f.slug, `"${s}" is used by ${prior} and ${f.slug}`).toBe(
          true,
        );
        owner.set(k, f.slug);
      }
    }
  });

  it('holds none of the aliases removed as ambiguous', () => {
    const all = new Set(forces.flatMap((f) => f.aliases.map((a) => a.toLowerCase())));
    for (const bad of [
      'london police',
      'metropolitan',
      'british transport',
      'reading police',
      'city police',
      'beds',
      'd and c',
      'newport police',
    ]) {
      expect(all.has(bad), bad).toBe(false);
    }
  });
});

describe('bySlug', () => {
  it('finds every force by its slug and nothing else', () => {
    for (const f of forces) expect(g.bySlug(f.slug)).toBe(f);
    expect(g.bySlug('West-Midlands')).toBeUndefined();
    expect(g.bySlug('atlantis')).toBeUndefined();
  });
});

describe('mentions', () => {
  it('returns offsets that slice to the mention text, in order and without overlap', () => {
    const text = 'The Met and Wiltshire Police are in Engage.';
    expect(g.mentions(text)).toEqual([
      { slug: 'metropolitan', start: 4, end: 7, text: 'Met' },
      { slug: 'wiltshire', start: 12, end: 28, text: 'Wiltshire Police' },
    ]);
  });

  it.each<[string, string[]]>([
    ['The Met and Wiltshire Police are in Engage.', ['metropolitan', 'wiltshire']],
    ['Met Police said the report was fair.', ['metropolitan']],
    ['Met police said the report was fair.', ['metropolitan']],
    ["The Met's report is due.", ['metropolitan']],
    ['The Met’s report is due.', ['metropolitan']],
    ['Met officers attended.', ['metropolitan']],
    ['A spokesman for the Met said', ['metropolitan']],
    ['The Metropolitan Police’s report is expected later this year.', ['metropolitan']],
    ['insisted Scotland Yard was already making progress', ['metropolitan']],
    ['officers at New Scotland Yard', ['metropolitan']],
    ['A letter said MPS leaders', ['metropolitan']],
    [
      'The other police forces under HMIC’s “engage” monitoring process are Cleveland Police, Gloucestershire Constabulary, Greater Manchester Police and Staffordshire Police.',
      ['cleveland', 'gloucestershire', 'greater-manchester', 'staffordshire'],
    ],
    [
      'The country’s second-largest force joins the biggest, the Metropolitan Police, in special measures along with Devon and Cornwall, Staffordshire, Wiltshire.',
      ['metropolitan', 'devon-and-cornwall', 'staffordshire', 'wiltshire'],
    ],
    ['WMP Chief Constable Craig Guildford said', ['west-midlands']],
    ['Wiltshire’s chief constable', ['wiltshire']],
    ['What Police Scotland said', ['police-scotland']],
    ['Heddlu Dyfed-Powys and Dyfed Powys Police', ['dyfed-powys', 'dyfed-powys']],
    ['Avon & Somerset Police and D&C officers', ['avon-and-somerset', 'devon-and-cornwall']],
    ['West Midlands Mayor Andy Street', ['west-midlands']],
    ['crime in County Durham rose', ['durham']],
    ['greater manchester police said', ['greater-manchester']],
    ['Birmingham police said', ['west-midlands']],
    [
      'BTP officers and the British Transport Police',
      ['british-transport-police', 'british-transport-police'],
    ],
    ['in north Wales and South Wales Police', ['north-wales', 'south-wales']],
    ['Hampshire and Isle of Wight Constabulary', ['hampshire']],
    ['City of London Police', ['city-of-london']],
    ['the PSNI and GMP', ['northern-ireland', 'greater-manchester']],
    ['Kent', ['kent']],
    ['A new Wiltshire Police chief was appointed', ['wiltshire']],
  ])('finds %j', (text, expected) => {
    expect(slugsOf(text)).toEqual(expected);
  });

  it.each([
    'we met with officials',
    'I met the chief constable',
    'when we met',
    'the Met Office warned of rain',
    'The Met Gala was held',
    'They met police officers at the scene',
    'in Scotland, officers said',
    'Kentish towns',
    'MPs said the force had failed',
    'hospital beds were full',
    'Beds were full',
    'New York police said',
    'New Hampshire',
    'New South Wales Police',
    'the Duke of Sussex',
    'the Duchess of Sussex',
    'the University of Essex',
    'Durham University',
    'special counsel John Durham said',
    'Cleveland, Ohio',
    'Cleveland Fire Brigade was inspected',
    'West Midlands Fire Service',
    'Stratford-upon-Avon',
    'Cleveland-Cliffs shares fell',
    'before the London Assembly police and crime committee',
    'London police said',
    'British Transport Secretary',
    'transport police said',
    'Reading police said',
    'the City of London Corporation',
    'the Metropolitan Museum',
    'Metropolitan Borough Council',
    'the firm staffs the desk',
    'avon',
    'swp',
  ])('finds nothing in %j', (text) => {
    expect(slugsOf(text)).toEqual([]);
  });

  it('matches lower-case multi-word names but not lower-case one-word aliases', () => {
    expect(slugsOf('wiltshire police said')).toEqual(['wiltshire']);
    expect(slugsOf('in wiltshire')).toEqual([]);
  });

  it('finds every capitalised alias and every name in a plain sentence', () => {
    for (const f of forces) {
      for (const a of [f.name, ...f.aliases]) {
        if (a === a.toLowerCase()) continue;
        const text = a === 'Met' ? 'Officers from the Met said.' : `Officers from ${a} said.`;
        expect(slugsOf(text), a).toEqual([f.slug]);
      }
    }
  });

  it('never uses lower-case (typed-only) aliases in article text', () => {
    for (const f of forces) {
      for (const a of f.aliases.filter((x) => x === x.toLowerCase())) {
        expect(slugsOf(`Officers from ${a} said.`), a).toEqual([]);
      }
    }
  });

  it('returns well-formed, non-overlapping mentions for any text', () => {
    const words = [
      'the',
      'Met',
      'met',
      'Police',
      'Wiltshire',
      'New',
      'York',
      'Scotland',
      'Yard',
      '’s',
      '-',
      ',',
      ' ',
    ];
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...words)), fc.string(), (parts, noise) => {
        const text = parts.join(' ') + noise;
        let last = 0;
        for (const m of g.mentions(text)) {
          expect(text.slice(m.start, m.end)).toBe(m.text);
          expect(m.start).toBeGreaterThanOrEqual(last);
          last = m.end;
        }
      }),
    );
  });
});

describe('findInQuestion', () => {
  it.each<[string, string[]]>([
    ['is the met still in special measures', ['metropolitan']],
    ['met police', ['metropolitan']],
    ['What did the HMIC letter to the Met say?', ['metropolitan']],
    ['what is the met doing to improve?', ['metropolitan']],
    ['Is Met in Engage?', ['metropolitan']],
    ["what's in the met's report", ['metropolitan']],
    ['What did Police Scotland say?', ['police-scotland']],
    ['birmingham police', ['west-midlands']],
    ['Is West Midlands Police in Engage?', ['west-midlands']],
    ['Will West Midlands meet the inspectors?', ['west-midlands']],
    ['Is it misleading to say WMP victims were not safeguarded?', ['west-midlands']],
    ['status gloucestershire', ['gloucestershire']],
    ['/status metropolitan', ['metropolitan']],
    ['/findings west-midlands', ['west-midlands']],
    ['what did the report say about vulnerable people in Wiltshire?', ['wiltshire']],
    ['Are Surrey Police in special measures?', ['surrey']],
    ['wmp', ['west-midlands']],
    ['gmp', ['greater-manchester']],
    ['staffs', ['staffordshire']],
    ['the met', ['metropolitan']],
    ['thames valley', ['thames-valley']],
    ['south yorks', ['south-yorkshire']],
    ['west mids', ['west-midlands']],
    ['is avon in engage', ['avon-and-somerset']],
    ['what did the MPS say', ['metropolitan']],
    ['compare wiltshire and staffordshire', ['wiltshire', 'staffordshire']],
    ['dyfed powys', ['dyfed-powys']],
    ['devon & cornwall', ['devon-and-cornwall']],
    ['hampshire and isle of wight', ['hampshire']],
    ['transport police', ['british-transport-police']],
    ['is the new west midlands chief any good', ['west-midlands']],
    ['what did kents pcc say', ['kent']],
    ['wiltshires chief constable', ['wiltshire']],
  ])('finds %j', (q, expected) => {
    expect(questionSlugs(q)).toEqual(expected);
  });

  it.each<[string, string]>([
    ['west midlnads', 'west-midlands'],
    ['wilthsire', 'wiltshire'],
    ['metropolitian', 'metropolitan'],
    ['is lancashre in engage', 'lancashire'],
    ['glocestershire police', 'gloucestershire'],
    ['west midland', 'west-midlands'],
  ])('forgives the typo in %j', (q, slug) => {
    const [match, ...rest] = g.findInQuestion(q);
    expect(rest).toEqual([]);
    expect(match).toMatchObject({ slug, score: expect.any(Number), via: 'fuzzy' });
    // The span is the force as typed, typo included.
    const typed = q.slice(match?.span?.start, match?.span?.end).toLowerCase();
    expect(typed).toMatch(/^(?:west midl|wilthsire|metropolitian|lancashre|glocestershire)/);
  });

  it.each([
    'I met the chief',
    'when we met',
    'we met with the inspectors',
    'what does the met office say',
    'what is the capital of France?',
    'weather in birmingham tomorrow',
    'how much does a police officer earn',
    'Read more from Sky News',
    '???',
    '',
    'list the forces under enhanced monitoring',
    'police',
    'the force',
    'constabulary',
    'what did mps say',
    'the survey results',
    'what does the police survey say',
    'north wages and south waves',
    'themes valley',
    'new hampshire police',
    'scotland',
    'is kemt ok',
    'Who is Craig Guildford?',
    'is london safe',
  ])('finds nothing in %j', (q) => {
    expect(g.findInQuestion(q)).toEqual([]);
  });

  it.each([
    ["Who is the chief constable in Swindon's force?", 'wiltshire'],
    ['is the police force in Birmingham in special measures', 'west-midlands'],
    ['what are the police in Swindon doing about 999 calls', 'wiltshire'],
    ['how are leeds officers coping', 'west-yorkshire'],
    ['what did the force covering Brighton say', 'sussex'],
  ])("names a city's force however the police word is placed: %j", (q, slug) => {
    expect(questionSlugs(q)).toEqual([slug]);
  });

  it.each(['I moved to Swindon last year', 'police in new york', 'what is the weather in birmingham'])(
    'a city alone names no force: %j',
    (q) => {
      expect(g.findInQuestion(q)).toEqual([]);
    },
  );

  it('city phrasings are not autocomplete keys', () => {
    expect(g.suggest('police in').map((f) => f.slug)).not.toContain('wiltshire');
    expect(g.suggest('force')).toEqual([]);
  });

  it('ranks exact matches before typos and reports each force once', () => {
    expect(g.findInQuestion('wilthsire and kent and kent police')).toEqual([
      { slug: 'kent', score: 1, via: 'name', span: { start: 23, end: 34 } },
      { slug: 'wiltshire', score: expect.any(Number), via: 'fuzzy', span: { start: 0, end: 9 } },
    ]);
  });

  it('finds every force by its name and every alias except the contextual "Met"', () => {
    for (const f of forces) {
      for (const a of [f.name, ...f.aliases]) {
        if (a === 'Met') continue;
        expect(questionSlugs(`what about ${a}?`), a).toEqual([f.slug]);
        expect(questionSlugs(`what about ${a.toLowerCase()}?`)[0], a).toBe(a === 'MPS' ? undefined : f.slug);
      }
    }
  });
});

describe('resolve', () => {
  it('resolves every force from its slug, its name in any case, and each of its aliases', () => {
    for (const f of forces) {
      expect(g.resolve(f.slug)).toEqual({ slug: f.slug, score: 1, via: 'slug' });
      expect(g.resolve(f.name)).toEqual({ slug: f.slug, score: 1, via: 'name' });
      expect(g.resolve(f.name.toUpperCase())?.slug).toBe(f.slug);
      for (const a of f.aliases) expect(g.resolve(a)?.slug, a).toBe(f.slug);
    }
  });

  it.each<[string, string, string]>([
    ['west-midlands', 'west-midlands', 'slug'],
    ['WEST MIDLANDS POLICE', 'west-midlands', 'name'],
    ['the met', 'metropolitan', 'alias'],
    ['Met', 'metropolitan', 'alias'],
    ['mps', 'metropolitan', 'alias'],
    ['wmp', 'west-midlands', 'alias'],
    ['gmp', 'greater-manchester', 'alias'],
    ['staffs', 'staffordshire', 'alias'],
    ['west mids', 'west-midlands', 'alias'],
    ['west midlands force', 'west-midlands', 'alias'],
    ['manchester', 'greater-manchester', 'alias'],
    ['birmingham', 'west-midlands', 'alias'],
    ['west midlnads', 'west-midlands', 'fuzzy'],
    ['wilthsire', 'wiltshire', 'fuzzy'],
    ['metropolitian', 'metropolitan', 'fuzzy'],
    ['westmidlands', 'west-midlands', 'fuzzy'],
    ['thamesvalley', 'thames-valley', 'fuzzy'],
    ['is the met still in special measures', 'metropolitan', 'alias'],
    ['What did Police Scotland say?', 'police-scotland', 'name'],
  ])('resolves %j to %s via %s', (input, slug, via) => {
    expect(g.resolve(input)).toMatchObject({ slug, via });
  });

  it.each([
    ['wilt', 'wiltshire'],
    ['lanc', 'lancashire'],
    ['dev', 'devon-and-cornwall'],
  ])('resolves the unambiguous prefix %j', (input, slug) => {
    expect(g.resolve(input)?.slug).toBe(slug);
  });

  it.each([
    'atlantis',
    '',
    '   ',
    'police',
    'the force',
    'london',
    'west',
    'north',
    'survey',
    'stone',
    'what is the capital of France?',
  ])('returns null for %j', (input) => {
    expect(g.resolve(input)).toBeNull();
  });

  it('scores exact matches above typos', () => {
    const exact = g.resolve('wiltshire');
    const typo = g.resolve('wilthsire');
    expect(exact?.score).toBe(1);
    expect(typo?.score).toBeLessThan(1);
    expect(typo?.score).toBeGreaterThan(0);
  });
});

describe('suggest', () => {
  const slugs = (input: string, opts?: Parameters<typeof g.suggest>[1]): string[] =>
    g.suggest(input, opts).map((f) => f.slug);

  it('lists preferred forces first, then the rest alphabetically, when nothing is typed', () => {
    const preferred = new Set(['wiltshire', 'west-midlands']);
    const all = slugs('', { limit: 100, preferred });
    expect(all).toHaveLength(forces.length);
    expect(all.slice(0, 2)).toEqual(['west-midlands', 'wiltshire']);
    const rest = g.suggest('', { limit: 100, preferred }).slice(2);
    const names = rest.map((f) => f.name);
    expect(names).toEqual([...names].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)));
  });

  it('returns at most 25 by default and honours limit', () => {
    expect(g.suggest('')).toHaveLength(25);
    expect(g.suggest('', { limit: 5 })).toHaveLength(5);
    expect(g.suggest('west', { limit: 2 })).toHaveLength(2);
  });

  it.each<[string, string]>([
    ['wilt', 'wiltshire'],
    ['Wiltshire', 'wiltshire'],
    ['met', 'metropolitan'],
    ['west-mid', 'west-midlands'],
    ['staf', 'staffordshire'],
    ['dev', 'devon-and-cornwall'],
    ['man', 'greater-manchester'],
    ['wlitshire', 'wiltshire'],
    ['gmp', 'greater-manchester'],
    ['police scot', 'police-scotland'],
  ])('puts the right force first for %j', (input, slug) => {
    expect(slugs(input)[0]).toBe(slug);
  });

  it('finds forces by a word inside the name', () => {
    expect(slugs('midlands')).toContain('west-midlands');
    expect(slugs('york')).toEqual(
      expect.arrayContaining(['north-yorkshire', 'south-yorkshire', 'west-yorkshire']),
    );
  });

  it('ranks preferred forces first among equals', () => {
    expect(slugs('west')).toEqual(['west-mercia', 'west-midlands', 'west-yorkshire']);
    expect(slugs('west', { preferred: new Set(['west-yorkshire']) })).toEqual([
      'west-yorkshire',
      'west-mercia',
      'west-midlands',
    ]);
  });

  it('ranks a name prefix above a word inside a name', () => {
    const north = slugs('north');
    expect(north.slice(0, 4).sort()).toEqual([
      'north-wales',
      'north-yorkshire',
      'northamptonshire',
      'northumbria',
    ]);
    expect(north).toContain('northern-ireland');
  });

  it('returns nothing for text that matches no force', () => {
    expect(slugs('zzzz')).toEqual([]);
    expect(slugs('atlantis')).toEqual([]);
  });
});
