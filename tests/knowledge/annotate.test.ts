import { describe, expect, it } from 'vitest';
import { openKnowledge } from '../../src/answer/open.js';
import type { Passage } from '../../src/knowledge/schema.js';
import { engineOf, KNOWLEDGE_DIR } from '../support/engine.js';

const { engine } = await openKnowledge(KNOWLEDGE_DIR);
const find = (start: string): Passage => {
  const p = engine.kb.passages.find((x) => x.text.startsWith(start));
  if (!p) throw new Error(`no passage starts with ${start}`);
  return p;
};

describe('annotation of the seed articles', () => {
  it('carries the force from context when a sentence only says "the force"', () => {
    const p = find('A letter from HMIC informing the force');
    expect(p.forces).toEqual(['metropolitan']);
    expect(p.named).toEqual([]);
    expect(p.speakerRole).toBe('inspectorate');
  });

  it('attributes a continuing quote to the speaker of the previous paragraph', () => {
    const p = find('“Of course we are disappointed');
    expect(p).toMatchObject({
      speaker: 'Louisa Rolfe',
      speakerRole: 'force',
      topic: 'response',
      forces: ['metropolitan'],
    });
  });

  it('resolves "Ms Rolfe", "he added" and "Constable Guildford" to the people introduced earlier', () => {
    expect(find('Ms Rolfe said').speaker).toBe('Louisa Rolfe');
    expect(find('“We fully accept').speaker).toBe('Kier Pritchard');
    expect(find('Constable Guildford also accepted')).toMatchObject({
      speaker: 'Craig Guildford',
      forces: ['west-midlands'],
    });
  });

  it('tells the inspectorate from the force even when both say "constabulary"', () => {
    expect(find('His Majesty’s inspector of constabulary, Wendy Williams').speakerRole).toBe('inspectorate');
    expect(find('WMP Chief Constable Craig Guildford').speakerRole).toBe('force');
  });

  it('labels topics: stage, findings and responses', () => {
    expect(find('West Midlands Police will be put into special measures').topic).toBe('status');
    expect(find('The watchdog found that').topic).toBe('finding');
    expect(find('The force said many of the issues').topic).toBe('response');
  });

  it('lists every force of a roster sentence, with the implied subject first', () => {
    expect(find('The country’s second-largest force').forces).toEqual([
      'west-midlands',
      'metropolitan',
      'devon-and-cornwall',
      'staffordshire',
      'wiltshire',
    ]);
  });

  it('never turns page furniture into a passage', () => {
    const texts = engine.kb.passages.map((p) => p.text);
    expect(texts.some((t) => /Install the Sky News app|Breaking News|Read more from|dead dog/.test(t))).toBe(
      false,
    );
    expect(engine.kb.dropped.get('sky-news-2023-11-24-west-midlands-special-measures')?.length).toBe(5);
  });
});

describe('annotation of unseen copy', () => {
  it('does not read "met" the verb as the Metropolitan Police', () => {
    const e = engineOf({
      id: 'a',
      published: '2024-01-01',
      body: 'Kent Police was praised by inspectors.\nOfficers met families of victims on Monday, the force said.',
    });
    expect(e.kb.passages.flatMap((p) => p.forces)).not.toContain('metropolitan');
    expect(e.kb.passages[1]?.forces).toEqual(['kent']);
  });

  it('keeps the speaker through a straight-quoted paragraph that continues a quote', () => {
    const e = engineOf({
      id: 'q',
      published: '2024-01-01',
      body: [
        'Chief Constable Andrea Collingwood said: "We accept the findings.',
        '"I would ask victims not to lose faith in us. If you come forward, you will be listened to."',
      ].join('\n'),
    });
    expect(e.kb.passages.map((p) => p.speaker)).toEqual([
      'Andrea Collingwood',
      'Andrea Collingwood',
      'Andrea Collingwood',
    ]);
  });

  it('finds the speaker behind a relative clause and the subject behind a subordinate one', () => {
    const e = engineOf({
      id: 'r',
      published: '2024-01-01',
      body: [
        'Cumbria Constabulary has been placed in special measures after inspectors found delays.',
        "The force, which polices England's second-largest county, said it faced particular challenges.",
      ].join('\n'),
    });
    expect(e.kb.passages[0]).toMatchObject({ speaker: 'inspectors', speakerRole: 'inspectorate' });
    expect(e.kb.passages[1]).toMatchObject({ speaker: 'Cumbria Constabulary', speakerRole: 'force' });
  });

  it('does not attach sentences about forces in general to the force in focus', () => {
    const e = engineOf({
      id: 'g',
      published: '2024-01-01',
      body: 'Kent Police was praised.\nForces in Engage receive additional support from the inspectorate.',
    });
    expect(e.kb.passages[1]?.forces).toEqual([]);
  });

  it('takes "he" to be the person the previous sentence was about', () => {
    const e = engineOf({
      id: 'he',
      published: '2024-01-01',
      body: [
        'Thames Valley Police left special measures, said PCC Rebecca Oyelaran.',
        'Chief Constable Daniel Fairbairn called it “a good day”.',
        'Fairbairn, who took over in 2023, spent his first week in the control room.',
        'He said: “The public were hearing hold music.”',
      ].join('\n'),
    });
    expect(e.kb.passages.at(-1)?.speaker).toBe('Daniel Fairbairn');
  });

  it('drops sentences too short to answer anything, such as live-blog greetings', () => {
    const e = engineOf({
      id: 'live',
      published: '2024-01-01',
      body: '09:45 — Good morning. Kent Police has been placed in special measures.',
    });
    expect(e.kb.passages.map((p) => p.text)).toEqual(['Kent Police has been placed in special measures.']);
  });

  it('names a chief constable introduced after a title-only mention', () => {
    const e = engineOf({
      id: 'b',
      published: '2024-01-01',
      body: [
        'Cumbria Constabulary has been placed in special measures.',
        'The chief constable of Cumbria Constabulary said he was disappointed.',
        'Chief Constable Rob Carden said: “We will fix this.”',
      ].join('\n'),
    });
    expect(e.kb.passages[1]).toMatchObject({
      speaker: 'Rob Carden',
      speakerRole: 'force',
      topic: 'response',
    });
  });
});

describe('lists, sub-headings and verb-first attribution', () => {
  const kb = engineOf({
    id: 'kent-md',
    published: '2024-05-01',
    body: [
      '# Kent Police placed in special measures',
      'Kent Police has been placed into special measures by the police inspectorate.',
      'HM Inspector Roy Wilsher said the force was failing in two areas:',
      '- calls from the public were not answered quickly enough;',
      '- crimes were not always recorded correctly.',
      'The report found:',
      '* victims were not kept informed',
      'Chief Constable Tim Smith said the force would study the report.',
      '## What the inspectors found',
      'Nearly 40% of 999 calls waited more than 10 seconds.',
      '> "This is a force that has lost its way," said HM Inspector Roy Wilsher.',
      '## How the force responded',
      'A new control room will open in the spring.',
    ].join('\n'),
  }).kb;
  const at = (start: string) => {
    const p = kb.passages.find((x) => x.text.startsWith(start));
    if (!p) throw new Error(`no passage starts with ${start}`);
    return p;
  };

  it('reads a two-word lead ("Inspectors found:") for its list, though it is too short to quote', () => {
    const short = engineOf({
      id: 'short-lead',
      published: '2025-03-20',
      body: [
        'Lancashire Constabulary has been removed from special measures.',
        'When the force was escalated, the report made grim reading. Inspectors found:',
        '- more than 3,400 investigations had not been allocated to an officer',
      ].join('\n'),
    }).kb;
    expect(short.passages.map((p) => p.text)).not.toContain('Inspectors found:');
    expect(short.passages.at(-1)).toMatchObject({
      topic: 'finding',
      speakerRole: 'inspectorate',
      position: 2,
    });
  });

  it('gives list items the speaker and topic of the line that introduced them', () => {
    for (const item of ['calls from the public', 'crimes were not always'])
      expect(at(item)).toMatchObject({
        topic: 'finding',
        speaker: 'Roy Wilsher',
        speakerRole: 'inspectorate',
        forces: ['kent'],
      });
    // "The report found:" is too short to quote, but says what the items are.
    expect(at('victims were not kept informed')).toMatchObject({ topic: 'finding', forces: ['kent'] });
  });

  it('reads a sentence under a sub-heading by what the heading announces, when it says nothing itself', () => {
    expect(at('Nearly 40% of 999 calls').topic).toBe('finding');
    expect(at('A new control room').topic).toBe('response');
  });

  it('finds the speaker after the verb, and "a force that has lost its way" is the force in focus', () => {
    expect(at('"This is a force')).toMatchObject({
      speaker: 'Roy Wilsher',
      speakerRole: 'inspectorate',
      forces: ['kent'],
    });
  });
});

describe('question-and-answer explainers', () => {
  it('follows the force a sub-heading names, though the heading itself is left out', () => {
    const kb = engineOf({
      id: 'explainer',
      published: '2026-02-10',
      body: [
        'What about Scotland?',
        'HMICFRS does not inspect Police Scotland.',
        'What has Nottinghamshire Police said?',
        'Chief Constable Daniel Rowbotham said the backlog had fallen.',
        '"We are not out of the woods," he said.',
      ].join('\n'),
    }).kb;
    const said = kb.passages.filter((p) => p.speaker === 'Daniel Rowbotham');
    expect(said).toHaveLength(2);
    for (const p of said) expect(p).toMatchObject({ forces: ['nottinghamshire'], speakerRole: 'force' });
  });
});

describe('people with abbreviated titles and appositives', () => {
  const kb = engineOf({
    id: 'titles',
    published: '2025-03-20',
    body: [
      'HM Inspector of Constabulary Roy Pendleton said Kent Police had improved.',
      'Mr. Pendleton said the inspectorate would keep watching.',
      'Sgt Mark Penhaligon, chair of the Kent Police Federation, said members deserved recognition.',
      '“The pressure on response officers has not gone away,” he said.',
    ].join('\n'),
  }).kb;
  const speakerOf = (start: string) => kb.passages.find((p) => p.text.startsWith(start))?.speaker;

  it('reads "Mr. Pendleton" as the Roy Pendleton introduced earlier', () => {
    expect(speakerOf('Mr. Pendleton')).toBe('Roy Pendleton');
  });

  it('keeps the name before an appositive role, and "he" then refers to him', () => {
    expect(speakerOf('Sgt Mark Penhaligon')).toBe('Mark Penhaligon');
    expect(speakerOf('“The pressure')).toBe('Mark Penhaligon');
  });
});

describe('pronouns', () => {
  it('gives "he" to the last man mentioned, not to the woman who spoke since', () => {
    const kb = engineOf({
      id: 'pronouns',
      published: '2024-04-18',
      body: [
        'Chief Constable Jason Hogg said Thames Valley Police had turned a corner.',
        'HM Inspector Joanna Pryce-Whittle said the force had addressed the cause of concern.',
        'She described the control room team as "relentless".',
        '"We are not complacent," he said.',
        'Ms Pryce-Whittle added that inspectors would return.',
        '"Burglary outcomes are still too low," she said.',
      ].join('\n'),
    }).kb;
    const speakerOf = (start: string) => kb.passages.find((p) => p.text.startsWith(start))?.speaker;
    expect(speakerOf('She described')).toBe('Joanna Pryce-Whittle');
    expect(speakerOf('"We are not complacent')).toBe('Jason Hogg');
    expect(speakerOf('"Burglary outcomes')).toBe('Joanna Pryce-Whittle');
  });
});

describe('long reads', () => {
  it('follows a person introduced with a relative clause, by surname and in the present tense', () => {
    const kb = engineOf({
      id: 'long-read',
      published: '2025-10-18',
      body: [
        'The Metropolitan Police Service remains in Engage.',
        'For Sir Daniel Whitcombe, who became commissioner in early 2023, the verdict was no surprise, he insists.',
        '“I would rather be told the truth,” Whitcombe says when we meet in his office.',
        'Tom Latchford, who chairs the Police Federation branch, says morale has recovered.',
        'Whitcombe accepts that some cases are still handled badly.',
        'He has promised that every burglary will be attended.',
      ].join('\n'),
    }).kb;
    const at = (start: string) => kb.passages.find((p) => p.text.startsWith(start));
    expect(at('“I would rather')).toMatchObject({ speaker: 'Daniel Whitcombe', speakerRole: 'force' });
    expect(at('Tom Latchford')).toMatchObject({ speaker: 'Tom Latchford', speakerRole: 'other' });
    expect(at('He has promised')?.speaker).toBe('Daniel Whitcombe');
  });
});

describe('people named with their rank', () => {
  const kb = engineOf({
    id: 'ranks',
    published: '2023-04-20',
    body: [
      'Gwent Police has been moved into Engage.',
      'In a letter to Chief Constable Alun Pritchard, inspectors set out two causes of concern.',
      'Responding to the letter, Chief Constable Pritchard said: “I accept the inspectorate’s findings.”',
      'Chief Constable Donna Fairweather, who joined the force from Thames Valley Police in 2021, said Gwent would improve.',
    ].join('\n'),
  }).kb;
  const at = (start: string) => kb.passages.find((p) => p.text.startsWith(start));

  it('knows a person first named in passing, and a leading phrase is not part of the speaker', () => {
    expect(at('Responding to the letter')).toMatchObject({
      speaker: 'Alun Pritchard',
      speakerRole: 'force',
      forces: ['gwent'],
    });
  });

  it('does not take a force in someone’s past for the one the sentence is about', () => {
    expect(at('Chief Constable Donna Fairweather')).toMatchObject({ forces: ['gwent'], named: ['gwent'] });
  });
});

describe('meeting reports', () => {
  it('knows the people an attendance line names, and "the Commissioner" is the one named there', () => {
    const kb = engineOf({
      id: 'panel-report',
      published: '2022-11-17',
      body: [
        'Also present: the Police, Fire and Crime Commissioner, Gareth Pollard; Chief Constable Simon Redfern',
        'The panel heard of the inspectorate’s decision to place Northamptonshire Police into the Engage phase.',
        'The Commissioner told the panel: "Nobody wants to be in this position."',
      ].join('\n'),
    }).kb;
    const said = kb.passages.find((p) => p.text.startsWith('The Commissioner told'));
    expect(said).toMatchObject({
      speaker: 'Gareth Pollard',
      speakerRole: 'other',
      forces: ['northamptonshire'],
    });
  });
});

describe('first-person blogs', () => {
  it('takes "he" for the person just named in passing', () => {
    const kb = engineOf({
      id: 'blog',
      published: '2024-11-14',
      body: [
        'Gwent Police remains in Engage.',
        'I have asked the Chief Constable, Owain Prothero, to report to me in public every month.',
        'At my last scrutiny board, he told me: ‘We are not where we need to be yet.’',
      ].join('\n'),
    }).kb;
    expect(kb.passages.find((p) => p.text.startsWith('At my last'))).toMatchObject({
      speaker: 'Owain Prothero',
      speakerRole: 'force',
    });
  });
});

describe('single quotation marks', () => {
  it('follow a quote opened with single marks into the next paragraph', () => {
    const kb = engineOf({
      id: 'single-quotes',
      published: '2025-01-23',
      body: [
        'Lincolnshire Police is not in special measures.',
        "Chief Constable Joanna Whitcombe said: 'There has been some worrying speculation this week.",
        "'The inspectors have given us an honest assessment, and we accept that we must do better.",
        "'We already have a plan to improve our attendance times.'",
        "The force's critics were not convinced.",
      ].join('\n'),
    }).kb;
    const speakerOf = (start: string) => kb.passages.find((p) => p.text.startsWith(start))?.speaker;
    expect(speakerOf("'The inspectors")).toBe('Joanna Whitcombe');
    expect(speakerOf("'We already")).toBe('Joanna Whitcombe');
    expect(speakerOf("The force's critics")).toBeNull();
  });
});

describe('reports in the publisher’s own voice', () => {
  it('reads "We found…" in an inspectorate report as the inspectorate, and PEEL grades as findings', () => {
    const kb = engineOf({
      id: 'peel-report',
      published: '2024-03-07',
      publisher: 'His Majesty’s Inspectorate of Constabulary and Fire & Rescue Services',
      body: [
        'This report sets out our findings from the PEEL inspection of North Wales Police.',
        'We found that the force gives victims a good service once an investigation is under way.',
        'Responding to the public: Requires improvement',
      ].join('\n'),
    }).kb;
    const at = (start: string) => kb.passages.find((p) => p.text.startsWith(start));
    expect(at('We found')).toMatchObject({
      speakerRole: 'inspectorate',
      topic: 'finding',
      forces: ['north-wales'],
    });
    expect(at('Responding to the public')?.topic).toBe('finding');
  });

  it('reads "We remain…" on a force’s own site as the force, but not on a panel’s of the same place', () => {
    const own = engineOf({
      id: 'statement',
      published: '2025-01-23',
      publisher: 'Lincolnshire Police',
      body: 'Lincolnshire Police is not in special measures.\nWe remain under the inspectorate’s routine monitoring.',
    }).kb;
    expect(own.passages.at(-1)).toMatchObject({ speakerRole: 'force', topic: 'response' });
    const panel = engineOf({
      id: 'panel',
      published: '2025-01-23',
      publisher: 'Lincolnshire Police and Crime Panel',
      body: 'Lincolnshire Police is not in special measures.\nWe asked the commissioner about the inspection.',
    }).kb;
    expect(panel.passages.at(-1)?.speakerRole).not.toBe('force');
  });

  it('reads a force’s own release as about that force before it names itself', () => {
    const kb = engineOf({
      id: 'release',
      published: '2024-10-02',
      publisher: 'Sussex Police',
      body: [
        'We have been placed into the Engage phase of monitoring by HMICFRS.',
        'The decision follows an inspection of our investigation standards, which found that too many investigations were not properly supervised.',
        'Inspectors reviewed 130 investigation files and found that 52 did not have a documented investigation plan.',
        'Chief Constable Rachel Denholm said: “We fully accept the findings.”',
      ].join('\n'),
    }).kb;
    const at = (start: string) => kb.passages.find((p) => p.text.startsWith(start));
    expect(at('The decision')).toMatchObject({
      forces: ['sussex'],
      topic: 'finding',
      speaker: 'an inspection of our investigation standards',
    });
    expect(at('Inspectors reviewed')).toMatchObject({ forces: ['sussex'], speaker: 'Inspectors' });
  });
});

describe('who found or said it, in longer sentences', () => {
  it.each([
    [
      'Inspectors also criticised the way the force used stop and search, and said it could not show the power was used fairly.',
      'Inspectors',
    ],
    [
      'The report blamed a new records system introduced by the force, which inspectors said had left staff unable to see information.',
      'inspectors',
    ],
    ['The force, which polices the county, said it accepted the findings.', 'Kent Police'],
    [
      'Kent Police has been rated outstanding for the way it treats the public but told it must respond more quickly.',
      null,
    ],
  ])('%s → %s', (sentence, speaker) => {
    const kb = engineOf({
      id: 'who',
      published: '2024-01-01',
      body: `Kent Police was inspected.\n${sentence}`,
    }).kb;
    expect(kb.passages.at(-1)?.speaker ?? null).toBe(speaker);
  });
});
