import { describe, expect, it } from 'vitest';
import { stageEvents, stageOf } from '../../src/answer/status.js';
import { engineOf } from '../support/engine.js';

const entry = {
  id: 'entry',
  published: '2021-05-01',
  body: 'Cleveland Police has been put into special measures by the inspectorate.\nThe force said it accepted the findings.',
};
const exit = {
  id: 'exit',
  published: '2023-02-10',
  body: 'Cleveland Police has been taken out of special measures after inspectors found “significant improvement”.',
};
const reentry = {
  id: 'reentry',
  published: '2025-09-09',
  body: 'Cleveland Police has been moved back into the Engage process, the watchdog said.',
};

describe('stageOf', () => {
  it.each([
    ['Kent Police has been placed in special measures.', 'engage'],
    ['The force is subject to enhanced monitoring.', 'engage'],
    ['It was moved back into routine monitoring in May.', 'scan'],
    ['Essex Police has been taken out of special measures.', 'scan'],
    ['The force has exited the Engage process.', 'scan'],
    ['The force could be put into special measures if it fails to improve.', null],
    ['Officers engaged with the public.', null],
    ['Warwickshire Police remains in the routine Scan stage of monitoring.', 'scan'],
    [
      'Kent Police, which was put into special measures in 2021, has been taken out of special measures.',
      'scan',
    ],
    [
      'Cumbria has been placed back into special measures, four years after it was moved out of the process.',
      'engage',
    ],
    ['Greater Manchester Police, which was taken out of the process in 2022, was rated good.', null],
    // A mention is not a stage; a question reports nothing.
    ['“People hear the phrase ‘special measures’ and assume the worst.', null],
    ['Are we looking at the force being put in special measures?', null],
    // Determiners and objects between the verb and the stage.
    ['Northumbria Police has been moved out of our enhanced level of monitoring, known as Engage.', 'scan'],
    ['It will now return to our routine monitoring.', 'scan'],
    ['Dyfed-Powys Police was told it no longer needs enhanced monitoring.', 'scan'],
    ['The inspectorate has not placed us in Engage.', 'scan'],
    // What came later in the sentence, and stays that have ended.
    ['Devon and Cornwall Police spent two years in Engage before it was returned to Scan.', 'scan'],
    ['The force had been in Engage since November 2023.', null],
    ['The force had been placed in Engage last week.', 'engage'],
    ['Despite reports that it could face special measures, Bedfordshire Police is not in Engage.', 'scan'],
    ['Special measures were imposed on the force in the spring.', 'engage'],
    ['Greater Manchester Police is out of special measures.', 'scan'],
    ['He said he did not expect to leave Engage before the end of the year.', null],
    ['There were claims on social media that it had been placed in special measures.', null],
    ['Sources suggest the force could be placed in the Engage process.', null],
    ['The panel heard of the decision to place Northamptonshire Police into the Engage phase.', 'engage'],
    ['Kent Police has been downgraded from Engage to Scan.', 'scan'],
    ['Essex Police has been moved from Scan to Engage.', 'engage'],
    ['Kent Police has been removed from the list of forces in special measures.', 'scan'],
    ['Lancashire Police was taken off the watchdog’s special measures list.', 'scan'],
    ['The chief constable was removed from post after the force was put into special measures.', null],
    ['Inspectors have lifted special measures at Kent Police.', 'scan'],
    ['The watchdog has ended its enhanced monitoring of Kent Police.', 'scan'],
    ['Kent Police has been stood down from enhanced monitoring.', 'scan'],
    ['Inspectors said it no longer needed enhanced monitoring.', 'scan'],
    // Denials with words between the negation and the placing.
    ['Inspectors have decided the force does not need to be placed into special measures.', 'scan'],
    ['Kent Police will not be put into Engage, the watchdog said.', 'scan'],
    ['The force did not improve and was placed into special measures.', 'engage'],
    ['Cleveland Police has left the Engage process.', 'scan'],
    ['Cleveland Police has left the process.', 'scan'],
  ])('%s → %s', (text, stage) => {
    expect(stageOf(text)).toBe(stage);
  });

  it('reads a main clause dated to an earlier year as history, not news', () => {
    expect(stageOf('Cumbria was moved out of Engage in June 2021.', '2025-02-20')).toBe(null);
    expect(stageOf('Cumbria was moved out of Engage in June 2021.', '2021-06-10')).toBe('scan');
  });
});

describe('stageEvents', () => {
  it('dates history to the time it names, and news to the article', () => {
    expect(
      stageEvents(
        'Kent Police, which was put into special measures in March 2021, has been taken out of special measures.',
        '2024-05-01',
      ),
    ).toEqual([
      { stage: 'scan', date: '2024-05-01' },
      { stage: 'engage', date: '2021-03' },
    ]);
    expect(stageEvents('Cumbria was moved out of Engage in June 2021.', '2025-02-20')).toEqual([
      { stage: 'scan', date: '2021-06' },
    ]);
    expect(stageEvents('It was placed in Engage in July last year.', '2026-02-10')).toEqual([
      { stage: 'engage', date: '2025-07' },
    ]);
  });

  it('dates each main clause by its own years, and "it" is the stage named before', () => {
    expect(
      stageEvents(
        'Cleveland Police left Engage in April 2023 but was returned to it in November 2025 over its handling of missing children.',
        '2026-02-10',
      ),
    ).toEqual([
      { stage: 'scan', date: '2023-04' },
      { stage: 'engage', date: '2025-11' },
    ]);
  });

  it('takes a sentence opening with a condition as how the process works, not news', () => {
    expect(
      stageEvents(
        'When inspectors are satisfied that the causes of concern have been dealt with, the force is returned to routine monitoring.',
        '2026-02-10',
      ),
    ).toEqual([]);
  });

  it('reads "since leaving special measures" as out, now', () => {
    expect(
      stageEvents(
        'The force has made progress since leaving special measures, inspectors said.',
        '2024-03-01',
      ),
    ).toEqual([{ stage: 'scan', date: '2024-03-01' }]);
  });
});

describe('status timeline', () => {
  it('uses history a later article recalls when nothing newer says otherwise', () => {
    const recalled = {
      id: 'recalled',
      published: '2024-03-01',
      body: 'Cleveland Police, which was moved out of the Engage process in 2023, was rated good for crime recording.',
    };
    const a = engineOf(entry, recalled).answer('/status cleveland');
    expect(a.status).toMatchObject({ stage: 'scan', asOf: '2023' });
    expect(a.headline).toMatch(/as of 2023 \(recalled on 2024-03-01\)/);
    // A recalled exit older than newer news changes nothing.
    expect(engineOf(entry, exit, reentry, recalled).answer('/status cleveland').status?.stage).toBe('engage');
  });

  it('takes the newest article: an exit makes the stage scan from its date on', () => {
    const a = engineOf(entry, exit).answer('/status cleveland');
    expect(a.status).toMatchObject({ stage: 'scan', since: '2023-02-10', asOf: '2023-02-10' });
    expect(a.status?.history.map((h) => [h.stage, h.date])).toEqual([['engage', '2021-05-01']]);
    expect(a.headline).toMatch(/Scan/);
  });

  it('follows a force back into Engage', () => {
    const a = engineOf(entry, exit, reentry).answer('/status cleveland');
    expect(a.status).toMatchObject({ stage: 'engage', since: '2025-09-09', asOf: '2025-09-09' });
  });

  it('reports since as the start of the current run of evidence', () => {
    const later = {
      id: 'later',
      published: '2022-01-01',
      body: 'Cleveland Police remains in special measures.',
    };
    const a = engineOf(entry, later).answer('/status cleveland');
    expect(a.status).toMatchObject({ stage: 'engage', since: '2021-05-01', asOf: '2022-01-01' });
  });

  it('cites the sentences that support the stage, verbatim', () => {
    const a = engineOf(entry, exit).answer('/status cleveland');
    const evidence = a.status?.evidence.map((n) => a.citations[n - 1]?.text);
    expect(evidence?.[0]).toBe(exit.body);
  });

  it('notes when a newer list of Engage forces leaves the force out, keeping the stage', () => {
    const roster = {
      id: 'roster',
      published: '2024-06-01',
      body: 'The forces in special measures are Kent Police, Essex Police and Surrey Police.',
    };
    const a = engineOf(entry, roster).answer('/status cleveland');
    expect(a.status?.stage).toBe('engage');
    expect(a.status?.note).toMatch(/newer article.*2024-06-01/);
    const cited = a.citations.map((c) => c.text);
    expect(cited).toContain(roster.body);
  });

  it.each([
    'As of June 2024, the forces in Engage are Kent Police and Essex Police.',
    'Kent Police is now the only force in special measures.',
  ])('takes a short list of the Engage forces as a roster too: %s', (body) => {
    const a = engineOf(entry, { id: 'short-roster', published: '2024-06-01', body }).answer(
      '/status cleveland',
    );
    expect(a.status).toMatchObject({ stage: 'engage', note: expect.stringMatching(/2024-06-01/) });
  });

  it('reads a bulleted list of the Engage forces as a roster, each item completing its lead line', () => {
    const body = [
      'As of June 2024, three forces are in Engage:',
      '- Kent Police, since March 2024, over call handling',
      '- Essex Police, since May 2024, over stalking cases',
      'Gwent Police is no longer in Engage.',
    ].join('\n');
    const eng = engineOf(entry, { id: 'list-roster', published: '2024-06-01', body });
    expect(eng.answer('/status kent').status?.stage).toBe('engage');
    expect(eng.answer('/status gwent').status?.stage).toBe('scan');
    expect(eng.answer('/status cleveland').status?.note).toMatch(/2024-06-01/);
  });

  it.each([
    'City of London Police joins Kent Police and Essex Police in the engage process.',
    'Kent Police remains in Engage alongside Essex Police.',
  ])('takes "joins X and Y in Engage" and "remains in Engage alongside Y" as rosters: %s', (body) => {
    const a = engineOf(entry, { id: 'companions', published: '2024-06-01', body }).answer(
      '/status cleveland',
    );
    expect(a.status?.note).toMatch(/2024-06-01/);
  });

  it('gives the stage of "unlike X and Y, which are in Engage, the force will remain…" to the force', () => {
    const body = [
      'Derbyshire Constabulary has been rated good by inspectors.',
      'Unlike neighbouring Leicestershire and Nottinghamshire, which are both in Engage, the force will remain under routine monitoring.',
    ].join('\n');
    const eng = engineOf({ id: 'unlike', published: '2026-09-24', body });
    expect(eng.answer('/status derbyshire').status?.stage).toBe('scan');
    expect(eng.answer('/status leicestershire').status?.stage).not.toBe('scan');
  });

  it('does not take a partial list ("include") as a roster', () => {
    const body = 'Forces in special measures include Kent Police and Essex Police.';
    const a = engineOf(entry, { id: 'partial', published: '2024-06-01', body }).answer('/status cleveland');
    expect(a.status?.note).toBeNull();
  });

  it('answers for the end of a year the question names', () => {
    const eng = engineOf(entry, exit, reentry);
    expect(eng.answer('was cleveland police in special measures in 2022?')).toMatchObject({
      intent: 'status',
      status: { stage: 'engage', asOf: '2021-05-01' },
    });
    expect(eng.answer('was cleveland police in special measures in 2022?').headline).toMatch(
      /was in Engage.*at the end of 2022/,
    );
    expect(eng.answer('was cleveland police in special measures in 2024?').status?.stage).toBe('scan');
    expect(eng.answer('was cleveland police in special measures in 2019?')).toMatchObject({
      answered: false,
      status: { stage: 'unknown' },
    });
    const list = eng.answer('which forces were in special measures in 2024?');
    expect(list.statuses).toEqual([expect.objectContaining({ force: 'cleveland', stage: 'scan' })]);
  });

  it('says unknown, never "not in special measures", for a force without evidence', () => {
    const a = engineOf(entry).answer('/status surrey');
    expect(a).toMatchObject({ answered: false, force: 'surrey', status: { stage: 'unknown' } });
    expect(a.headline).toMatch(/unknown/);
    expect(a.headline).toMatch(/does not mean/);
  });

  it('does not take speculation as evidence', () => {
    const maybe = {
      id: 'maybe',
      published: '2024-01-01',
      body: 'Dorset Police could be placed into special measures next year.',
    };
    expect(engineOf(maybe).answer('/status dorset').status?.stage).toBe('unknown');
  });

  it('lets the lead sentence decide an article that also recalls an earlier exit', () => {
    const back = {
      id: 'back',
      published: '2025-02-20',
      body: [
        'Cleveland Police has been placed back into special measures, two years after it was moved out of the process.',
        'Cleveland Police was taken out of special measures in February 2023.',
      ].join('\n'),
    };
    expect(engineOf(entry, exit, back).answer('/status cleveland').status?.stage).toBe('engage');
  });

  it('explains why a force entered Engage from the article that reported it', () => {
    const why = {
      id: 'why',
      published: '2021-05-01',
      body: [
        'Dorset Police has been put into special measures.',
        'Inspectors found the force had failed to record thousands of crimes.',
        'The chief constable said the force was already improving.',
      ].join('\n'),
    };
    const a = engineOf(why).answer('why was dorset put into special measures?');
    expect(a.answered).toBe(true);
    expect(a.citations.map((c) => c.text)).toContain(
      'Inspectors found the force had failed to record thousands of crimes.',
    );
    expect(a.citations.some((c) => c.speakerRole === 'force')).toBe(false);
  });

  it('quotes the side asked about from the article that reported a move', () => {
    const left = {
      id: 'left',
      published: '2023-02-10',
      body: [
        'Cleveland Police has been taken out of special measures.',
        'HM Inspector Jane Roe said: “The force has made real progress.”',
        'Chief Constable Mark Webster said: “We are proud of our officers.”',
      ].join('\n'),
    };
    const a = engineOf(entry, left).answer(
      'what did the inspectorate say when cleveland left special measures?',
    );
    expect(a.citations.map((c) => c.speaker)).toEqual(['Jane Roe']);
    const f = engineOf(entry, left).answer(
      'what did cleveland police say when they came out of special measures?',
    );
    expect(f.citations.map((c) => c.speaker)).toEqual(['Mark Webster']);
  });

  it('explains an entry that only a later article recalls', () => {
    const later = {
      id: 'later-recall',
      published: '2024-04-18',
      body: 'Dorset Police has been moved back to routine monitoring, 17 months after it was placed in special measures over the way it answered calls.',
    };
    const a = engineOf(later).answer('why was dorset put in engage in the first place?');
    expect(a.citations.map((c) => c.text)).toEqual([later.body]);
  });

  it('answers an unknown stage with passing mentions only from articles about that force', () => {
    const opinion = {
      id: 'opinion',
      title: 'Engage has become a waiting room',
      published: '2025-01-01',
      body: 'Nobody seriously thinks Surrey Police is about to be put into special measures.',
    };
    const warned = {
      id: 'warned',
      title: 'Kent Police warned it could be put into special measures',
      published: '2025-01-01',
      body: 'Kent Police has been warned it could be put into special measures.',
    };
    const e = engineOf(opinion, warned);
    expect(e.answer('/status surrey')).toMatchObject({ answered: false, status: { stage: 'unknown' } });
    expect(e.answer('/status kent')).toMatchObject({ answered: true, status: { stage: 'unknown' } });
  });

  it('lists every force with evidence and its stage for /forces', () => {
    const other = {
      id: 'other',
      published: '2022-03-03',
      body: 'Kent Police was placed into special measures.',
    };
    const a = engineOf(entry, exit, other).answer('/forces');
    expect(a.statuses?.map((r) => [r.force, r.stage])).toEqual([
      ['kent', 'engage'],
      ['cleveland', 'scan'],
    ]);
  });
});

describe('a force inspected and kept in routine monitoring', () => {
  it('is in Scan without "having left Engage" it was never in', () => {
    const answer = engineOf({
      id: 'kept',
      published: '2025-07-15',
      body: 'Kent Police has been told to improve, but inspectors have decided the force does not need to be placed into special measures.',
    }).answer('/status kent');
    expect(answer.status?.stage).toBe('scan');
    expect(answer.headline).toMatch(/^Kent Police is in Scan \(routine monitoring\), as reported/);
  });

  it('reads "leaves the region without a force in Engage" as nobody there being in it', () => {
    const answer = engineOf(
      { id: 'in', published: '2019-09-27', body: 'Cleveland Police has been placed in special measures.' },
      {
        id: 'region',
        published: '2025-11-20',
        body: 'Durham’s exit leaves the North East without a force in Engage for the first time in years, after Cleveland Police left the process in March 2024.',
      },
    ).answer('/status cleveland');
    expect(answer.status?.stage).toBe('scan');
    expect(answer.headline).toContain('having left Engage');
  });
});
