import { describe, expect, it } from 'vitest';
import { openKnowledge } from '../../src/answer/open.js';
import type { Answer } from '../../src/answer/types.js';
import { engineOf, KNOWLEDGE_DIR } from '../support/engine.js';

const { engine, loaded } = await openKnowledge(KNOWLEDGE_DIR);
const bodies = new Map(loaded.articles.map((a) => [a.id, a.paragraphs]));

/** The product's promise: every sentence shown appears verbatim in the article it cites. */
function expectVerbatim(a: Answer) {
  for (const c of a.citations) {
    const paragraphs = bodies.get(c.articleId) ?? [];
    expect(
      paragraphs.some((p) => p.includes(c.text)),
      `${c.text} not in ${c.articleId}`,
    ).toBe(true);
    expect(a.sources[c.source]?.articleId).toBe(c.articleId);
  }
  expect(a.citations.map((c) => c.n)).toEqual(a.citations.map((_, i) => i + 1));
}

const QUESTIONS = [
  '/status west-midlands',
  '/status metropolitan',
  '/status gloucestershire',
  '/findings wiltshire',
  '/responses metropolitan',
  '/forces',

  'why was the met put into special measures?',
  'what did the inspectors find about victims?',
  'Who is Wendy Williams?',
  'is the met still in special measures?',
];

describe('answers', () => {
  it.each(QUESTIONS)('%s cites verbatim sentences with their sources', (q) => {
    const a = engine.answer(q);
    expect(a.answered).toBe(true);
    expect(a.citations.length).toBeGreaterThan(0);
    expectVerbatim(a);
  });

  it('answers /status west-midlands as the README promises', () => {
    const a = engine.answer('/status west-midlands');
    expect(a).toMatchObject({
      intent: 'status',
      force: 'west-midlands',
      status: { stage: 'engage', asOf: '2023-11-24' },
    });
    expect(a.headline).toBe(
      'West Midlands Police is in Engage (“special measures”), as reported on 2023-11-24.',
    );
    expect(a.sources[0]).toMatchObject({ publisher: 'Sky News', published: '2023-11-24' });
  });

  it('gives the reasons when asked why the Met went into special measures', () => {
    const a = engine.answer('why was the met put into special measures?');
    expect(a.force).toBe('metropolitan');
    expect(
      a.citations.slice(0, 3).some((c) => /systemic concerns|cumulative impact|Other factors/.test(c.text)),
    ).toBe(true);
  });

  it.each([
    "what's the weather in birmingham tomorrow?",
    'What is the capital of France?',
    'who won the match last night',
    'Read more from Sky News',
    'Install the Sky News app for free',
    'What did Police Scotland say?',
    '???',
    '',
    '🙂🙂🙂',
    '10:42',
  ])('abstains on %j and suggests what it can answer', (q) => {
    const a = engine.answer(q);
    expect(a.answered).toBe(false);
    expect(a.citations).toEqual([]);
    expect(a.suggestions.join(' ')).toMatch(/\/status <force>/);
  });

  it('keeps a conversation force for a follow-up', () => {
    const a = engine.answer('what did they say?', { force: 'wiltshire' });
    expect(a).toMatchObject({ intent: 'responses', force: 'wiltshire', answered: true });
    expect(a.citations.every((c) => c.speakerRole === 'force')).toBe(true);
  });

  it('reads "what did inspectors say" as a topic, not as the words of a speaker called "inspectors"', () => {
    const a = engine.answer('what did inspectors say about sex offenders?');
    expect(a.answered).toBe(true);
    expect(a.citations[0]?.text).toMatch(/registered sex offenders, the inspectorate said/);
    expectVerbatim(a);
  });

  it('names responses by their speakers', () => {
    const a = engine.answer('/responses west-midlands');
    expect(a.citations.map((c) => c.speaker)).toContain('Craig Guildford');
    expect(a.citations.every((c) => c.speakerRole === 'force')).toBe(true);
  });

  it('lists findings from the inspectorate, not the force', () => {
    const a = engine.answer('/findings wiltshire');
    expect(a.citations.length).toBeGreaterThan(2);
    expect(a.citations.some((c) => c.speakerRole === 'force')).toBe(false);
  });

  it('lists sources newest first with their passage counts', () => {
    const a = engine.answer('/sources');
    const dates = a.sources.map((s) => s.published);
    expect(dates).toEqual([...dates].sort().reverse());
    expect(a.sources.every((s) => (s.passages ?? 0) > 0)).toBe(true);
  });

  it('survives hostile input without throwing', () => {
    for (const q of [
      '\u0000\u0007',
      'a'.repeat(20_000),
      '<@&123> @everyone',
      '```js\nx\n```',
      'https://x.y/z?q=1',
    ]) {
      const a = engine.answer(q);
      expect(typeof a.answered).toBe('boolean');
    }
  });
});

describe('questions about a named person', () => {
  const eng = engineOf(
    {
      id: 'panel',
      published: '2024-09-24',
      body: [
        'West Mercia Police remains in Engage, the police and crime panel heard.',
        'Deputy Chief Constable Helen Marchbank told the panel it was “too early to put a date on it”.',
        'She said 45 trainee detectives would join in the spring.',
        'Chief Constable Pippa Mills said the force was making progress.',
      ].join('\n'),
    },
    {
      id: 'other',
      published: '2024-01-10',
      body: 'Kent Police said it was disappointed.\nCouncillor Jo Bell said the panel would meet again.',
    },
  );

  it.each([
    'what did Helen Marchbank tell the panel?',
    'what has helen marchbank said?',
    'What did Ms Marchbank say?',
  ])('%s → her own words, as responses, for the force she speaks for', (q) => {
    const a = eng.answer(q);
    expect(a).toMatchObject({ answered: true, intent: 'responses', force: 'west-mercia' });
    expect(new Set(a.citations.map((c) => c.speaker))).toEqual(new Set(['Helen Marchbank']));
    expect(a.citations.map((c) => c.text)).toContain(
      'She said 45 trainee detectives would join in the spring.',
    );
  });

  it.each(['what did chief constable priya matharu say about the inspection', 'What did Amara Quinlan say?'])(
    'says it has nothing from someone no article mentions: %s',
    (q) => {
      const a = eng.answer(q);
      expect(a.answered).toBe(false);
      expect(a.headline).toMatch(/nothing from or about/i);
    },
  );

  it('does not take a rank for a name', () => {
    expect(eng.answer('what did the chief constable say?').headline).not.toMatch(/^What The Chief/);
  });

  it('does not take an ordinary word for a surname, or a force for a person', () => {
    expect(eng.answer('what did the bell say?').headline).not.toMatch(/Jo Bell/);
    expect(eng.answer('what did kent police say?').headline).not.toMatch(/^What Kent Police said:/);
  });
});

describe('forces typed with typos', () => {
  it.each([
    ['what did wiltshre police say?', 'responses', 'wiltshire'],
    ['what did inspectors find about west midlnads?', 'findings', 'west-midlands'],
  ])('%s is answered like the force spelt right', (q, intent, force) => {
    const a = engine.answer(q);
    expect(a).toMatchObject({ answered: true, intent, force });
  });
});

describe('special measures for bodies other than police', () => {
  const eng = engineOf({
    id: 'school',
    published: '2026-03-05',
    body: [
      'An Ellesmere Port secondary school has been placed in special measures after Ofsted inspectors rated it inadequate.',
      'Cheshire Constabulary is not in special measures, its deputy chief constable said.',
    ].join('\n'),
  });

  it.each([
    'Which hospital in Ellesmere Port has been put into special measures?',
    'is the ellesmere port school in special measures?',
  ])('%s → not this knowledge base', (q) => {
    expect(eng.answer(q).answered).toBe(false);
  });

  it('still answers about the police force of the same place', () => {
    expect(eng.answer('is cheshire police in special measures?')).toMatchObject({
      intent: 'status',
      force: 'cheshire',
      status: { stage: 'scan' },
    });
  });
});

describe('why-questions', () => {
  it('says the sources give no reason when all they have is a list of forces in Engage', () => {
    const a = engine.answer('why is staffordshire in special measures?');
    expect(a).toMatchObject({ answered: false, force: 'staffordshire' });
    expect(a.headline).toMatch(/do not say why/);
  });

  it('gives the Met’s reasons without the sentence about Wiltshire that mentions it', () => {
    const a = engine.answer('why was the met put into special measures?');
    expect(a.citations.map((c) => c.text)).not.toContain(
      expect.stringMatching(/^It is among a record number/),
    );
    expect(a.citations[0]?.text).toMatch(/systemic concerns/);
  });
});

describe('findings about one part of a force’s work', () => {
  const eng = engineOf({
    id: 'derbyshire',
    published: '2025-07-10',
    body: [
      'In October last year HM Inspector of Constabulary Rebecca Thorne wrote to Derbyshire Constabulary to say it was being placed in Engage after an inspection of its control room.',
      'Inspectors found:',
      '- only 58 percent of 999 calls were answered within 10 seconds;',
      '- callers could wait more than an hour for a 101 call to be answered.',
      'Inspectors also found that stalking cases were not always recorded.',
    ].join('\n'),
  });

  it('lists the findings, those that match the question first, not only sentences with its words', () => {
    const a = eng.answer("What did inspectors find about Derbyshire's control room?");
    expect(a).toMatchObject({ intent: 'findings', force: 'derbyshire', answered: true });
    const cited = a.citations.map((c) => c.text);
    expect(cited[0]).toMatch(/inspection of its control room/);
    expect(cited).toContain('only 58 percent of 999 calls were answered within 10 seconds;');
    expect(a.citations[0]?.speaker).toBe('Rebecca Thorne');
  });
});

describe('articles with no policing in them', () => {
  const eng = engineOf(
    {
      id: 'academy',
      published: '2024-06-20',
      body: [
        'Thameside Academy in Gravesend has been placed in special measures by Ofsted.',
        'Inspectors found that safeguarding records were incomplete.',
        'Headteacher Dr Ruth Farrant said: “We accept the report and are already acting on it.”',
      ].join('\n'),
    },
    { id: 'kent', published: '2024-03-08', body: 'Kent Police has been taken out of special measures.' },
  );

  it.each([
    'what did dr farrant say about the ofsted report',
    'What did Ofsted say about the academy’s safeguarding records?',
  ])('%s → not answered from them', (q) => {
    expect(eng.answer(q).answered).toBe(false);
  });

  it('still answers about the police', () => {
    expect(eng.answer('/status kent').status?.stage).toBe('scan');
  });
});

describe('partial matches', () => {
  it('answers a paraphrase that has the question’s most telling word, not one sharing only common words', () => {
    const a = engine.answer('Which high-profile murder hurt public confidence in the Met?');
    expect(a.answered).toBe(true);
    expect(a.citations[0]?.text).toMatch(/murder of Sarah Everard/);
    expect(engine.answer('What is in the new Crime and Policing Act?').answered).toBe(false);
  });

  it.each([
    'How do I manage my cookie preferences?',
    'Share this story',
    'What did HM Inspectorate of Prisons find at HMP Styal?',
    'How did Merseyside Fire and Rescue Service do in its inspection?',
  ])('abstains on furniture and other inspected bodies: %s', (q) => {
    expect(engine.answer(q).answered).toBe(false);
  });
});

describe('what a force admitted', () => {
  it('finds the force’s own words on the matter among its responses', () => {
    const a = engine.answer('Does West Midlands Police admit problems with how it handles sex offenders?');
    expect(a).toMatchObject({ intent: 'responses', force: 'west-midlands', answered: true });
    expect(a.citations[0]?.text).toMatch(/acknowledged issues around the force’s management of sex/);
  });
});

describe('opinion pieces', () => {
  const eng = engineOf({
    id: 'opinion',
    published: '2025-09-12',
    title: 'Opinion: Engage has become a waiting room',
    author: 'Martin Kellaway',
    body: [
      'Since 2019 more than a dozen forces, Kent Police and Essex Police among them, have passed through Engage.',
      'So here is my modest proposal.',
      'First, every cause of concern should come with a published exit test.',
      'Second, the inspectorate should revisit a force within six months.',
      'Kent Police said it did not recognise the picture.',
    ].join('\n'),
  });

  it('gives the author’s own words, and what a sentence announces after it', () => {
    const a = eng.answer('What did Martin Kellaway propose?');
    expect(a).toMatchObject({ intent: 'responses', answered: true });
    const cited = a.citations.map((c) => c.text);
    expect(cited.slice(0, 3)).toEqual([
      'So here is my modest proposal.',
      'First, every cause of concern should come with a published exit test.',
      'Second, the inspectorate should revisit a force within six months.',
    ]);
    expect(cited).not.toContain('Kent Police said it did not recognise the picture.');
  });
});

describe('what a question asks for', () => {
  it('abstains when the thing asked for is a word no article uses', () => {
    const a = engine.answer('What was the outcome of the murder of Daniel Morgan inquiry?');
    expect(a.answered).toBe(false);
    // The same question about something the articles do speak of is answered.
    expect(engine.answer('What was the decision about West Midlands Police?').answered).toBe(true);
  });
});

describe('why a force was not put into special measures', () => {
  it('cites the decision against, the reason first', () => {
    const eng = engineOf({
      id: 'humberside',
      published: '2026-01-29',
      body: [
        'Humberside Police will not be placed in special measures, the police watchdog has said.',
        'HMICFRS said it had considered moving the force into Engage, but had decided against it because the force had “taken decisive action”.',
        'The chief constable said the force was grateful.',
      ].join('\n'),
    });
    const a = eng.answer('Why was Humberside Police not put into special measures?');
    expect(a).toMatchObject({ answered: true, force: 'humberside' });
    expect(a.citations[0]?.text).toMatch(/decided against it because/);
    expect(a.headline).toMatch(/not put into Engage/);
  });
});

describe('what a force is doing about something', () => {
  const eng = engineOf({
    id: 'merseyside-doing',
    published: '2025-09-18',
    body: [
      'Merseyside Police has been placed in special measures after inspectors found investigations were poorly supervised.',
      '“Victims of crime in Merseyside are entitled to a thorough investigation,” the inspector said.',
      'Chief Constable Simon Garrity said the force accepted the findings.',
      'He said the force would introduce a new investigation standards unit and double the number of detective sergeants.',
      'The inspectorate said the force must improve quickly.',
    ].join('\n'),
  });

  it('answers with what was done or will be done, not with the problem restated', () => {
    const a = eng.answer('What is Merseyside Police doing to improve investigations?');
    expect(a.answered).toBe(true);
    expect(a.citations[0]?.text).toMatch(/introduce a new investigation standards unit/);
  });

  it('still answers when the purpose is all the question says', () => {
    const a = eng.answer('what is merseyside police doing to improve?');
    expect(a.citations.map((c) => c.text)).toContain('The inspectorate said the force must improve quickly.');
  });

  it('reads a leading time clause as when, not what', () => {
    const a = eng.answer(
      'After it went into special measures, what did Merseyside Police say about sergeants?',
    );
    expect(a.citations[0]?.text).toMatch(/detective sergeants/);
  });
});
