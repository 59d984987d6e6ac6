import { describe, expect, it } from 'vitest';
import { engineOf } from '../support/engine.js';

const engine = engineOf(
  {
    id: 'custody',
    published: '2025-05-01',
    body: [
      'Inspectors found Cheshire Constabulary detainees waited an average of 4.5 hours to see a nurse.',
      'One caller told the paper she had waited 40 minutes on 999 after her husband was assaulted.',
      'The commissioner said he would fund 14 additional posts in the missing persons unit.',
      'HMICFRS does not inspect Police Scotland.',
      'His Majesty’s Inspectorate of Constabulary and Fire & Rescue Services said the force had improved.',
      'Chief Constable Naomi Trent said investigations had been reorganised.',
      'Only 61% of non-emergency calls in Cheshire were answered within the target time.',
      'Response times to priority incidents in Cheshire have fallen from 30 minutes to 12 minutes.',
      'Inspectors said one in five victims withdrew their support before a charging decision.',
    ].join('\n'),
  },
  {
    id: 'weather',
    published: '2025-05-02',
    body: 'Kent Police warned drivers to take care on icy roads this weekend.',
  },
);

describe('search in the words people use', () => {
  it.each([
    ['how long did detainees in cheshire wait to see a medic?', 'waited an average of 4.5 hours'],
    ['how long was the caller left hanging on the emergency line?', 'waited 40 minutes on 999'],
    ['how much is the commissioner spending on extra missing persons staff?', 'fund 14 additional posts'],
    ['does hmicfrs inspect the scottish force?', 'does not inspect Police Scotland'],
    ['are calls to 101 in cheshire picked up promptly?', 'were answered within the target time'],
    ['how fast do cheshire officers get to urgent jobs now?', 'priority incidents'],
    ['how many complainants dropped out before charge?', 'victims withdrew their support'],
  ])('%s', (q, expected) => {
    const a = engine.answer(q);
    expect(a.answered, a.headline).toBe(true);
    expect(a.citations[0]?.text).toContain(expected);
  });

  it('still abstains when only the everyday words match', () => {
    expect(engine.answer('will it rain in kent this weekend?').answered).toBe(false);
  });

  it('reads the inspectorate’s full name as one name, not as words about fire and rescue', () => {
    expect(engine.answer('how did the fire and rescue service do in its inspection?').answered).toBe(false);
  });

  it('forgives a typo in a long word, but does not take a short unknown word for a near one', () => {
    expect(engine.answer('were investgations reorganised?').answered).toBe(true);
    expect(engine.answer('Trending now').answered).toBe(false);
  });
});

describe('the analyzer', () => {
  it('joins irregular verb forms to their verb and drops contractions typed without apostrophes', async () => {
    const { createAnalyzer } = await import('../../src/search/analyzer.js');
    const a = createAnalyzer(['Met']);
    expect(a.terms('the inspectors went back')).toEqual(a.terms('inspectors go back'));
    expect(a.terms('it found failings')).toEqual(a.terms('it finds failings'));
    expect(a.terms('whats the difference')).toEqual(a.terms('difference'));
    expect(a.terms('are victims getting help')).toEqual(a.terms('victims help'));
    expect(a.terms('numbers have fallen')).toEqual(a.terms('numbers fall'));
    expect(a.terms('the Met')).toEqual(['met']);
  });
});

describe('question-and-answer explainers', () => {
  it('finds the answer under the question heading it answers', () => {
    const eng = engineOf({
      id: 'explainer',
      published: '2026-02-10',
      body: [
        'Kent Police remains in Engage, the inspectorate said.',
        'Does it mean officers will be sacked?',
        'No. Being in Engage does not change who runs a force.',
        'How long does it last?',
        'There is no fixed period.',
      ].join('\n'),
    });
    const a = eng.answer('does special measures mean officers get sacked?');
    expect(a.citations[0]?.text).toBe('Being in Engage does not change who runs a force.');
  });
});

describe('synonym phrases that stop words shrink', () => {
  const eng = engineOf({
    id: 'wiltshire',
    published: '2023-09-28',
    body: [
      'Wiltshire Police was taking too long to answer emergency calls, inspectors found.',
      'Claire Whitby has been confirmed as the next chief constable of Wiltshire Police.',
    ].join('\n'),
  });

  it('stand for their group where the question has the phrase', () => {
    const a = eng.answer("Who will be taking over as Wiltshire's chief constable?");
    expect(a.citations[0]?.text).toMatch(/^Claire Whitby/);
  });

  it('are not searched for on behalf of the others ("next" does not find "taking too long")', () => {
    expect(eng.answer('when is the next commissioner election in wiltshire?').answered).toBe(false);
  });
});

describe('phrases made of stop words', () => {
  it('"get out of Engage" finds how a force returns to Scan', () => {
    const eng = engineOf({
      id: 'explainer-exit',
      published: '2025-11-20',
      body: [
        'Kent Police remains in Engage, the inspectorate said.',
        'When the causes of concern have been dealt with, HM Chief Inspector recommends that the force returns to Scan.',
      ].join('\n'),
    });
    const a = eng.answer('how does a force get out of special measures?');
    expect(a.citations.map((c) => c.text)).toContainEqual(expect.stringMatching(/returns to Scan/));
    // Without the phrase, "out of" and "get" are only stop words.
    expect(eng.index.concepts('how does a force get out of special measures?').map((c) => c.label)).toContain(
      'leav',
    );
  });
});
