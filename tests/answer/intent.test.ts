import { describe, expect, it } from 'vitest';
import { parseQuery } from '../../src/answer/intent.js';
import { createGazetteer } from '../../src/knowledge/gazetteer.js';
import { FORCES } from '../support/engine.js';

const g = createGazetteer(FORCES);
const read = (q: string, ctx: string | null = null) => {
  const p = parseQuery(q, g, ctx);
  return { intent: p.intent, force: p.force?.slug ?? null, unknown: p.unknownForce };
};

describe('parseQuery', () => {
  it.each([
    ['/status west-midlands', 'status', 'west-midlands'],
    ['/status West Midlands Police', 'status', 'west-midlands'],
    ['status gloucestershire', 'status', 'gloucestershire'],
    ['/findings wiltshire', 'findings', 'wiltshire'],
    ['/responses the met', 'responses', 'metropolitan'],
    ['/forces', 'forces', null],
    ['/sources', 'sources', null],
    ['/ask is wmp in special measures?', 'status', 'west-midlands'],
  ])('reads the command %s', (q, intent, force) => {
    expect(read(q)).toMatchObject({ intent, force });
  });

  it.each([
    ['is the met still in special measures?', 'status', 'metropolitan'],
    ['Is West Midlands Police in Engage?', 'status', 'west-midlands'],
    ['are staffs under enhanced monitoring', 'status', 'staffordshire'],
    ['is west midlnads police in special measures', 'status', 'west-midlands'],
    ['why was the met put into special measures?', 'ask', 'metropolitan'],
    ['What did Wiltshire Police say?', 'responses', 'wiltshire'],
    ['how did GMP respond', 'responses', 'greater-manchester'],
    ['What did the HMIC letter to the Met say?', 'findings', 'metropolitan'],
    ['what did inspectors say about west midlands police?', 'findings', 'west-midlands'],
    ['how did west midlands police respond to the inspection?', 'responses', 'west-midlands'],
    [
      'Does West Midlands Police admit problems with how it handles sex offenders?',
      'responses',
      'west-midlands',
    ],
    ['did wmp accept the findings?', 'responses', 'west-midlands'],
    ['how did durham react to the inspectorate’s letter?', 'responses', 'durham'],
    ['which forces are in special measures?', 'forces', null],
    ['list every force currently under Engage', 'forces', null],
    ['what date did lincs police get put into engage', 'status', 'lincolnshire'],
    ['When does the Wiltshire commissioner want the force out of Engage?', 'ask', 'wiltshire'],
    ['who chairs the group that oversees forces in engage?', 'ask', null],
    ['In plain terms, what happens to a force that goes into special measures?', 'ask', null],
    ['How much extra cash did Merseyside’s commissioner find for victims?', 'ask', 'merseyside'],
    ['list the forces under enhanced monitoring', 'forces', null],
    ['what is the capital of France?', 'ask', null],
    // A stage question after a comma; a time clause before the question itself.
    ['what’s the latest on dyfed powys police, are they still in special measures?', 'status', 'dyfed-powys'],
    ['Before it went into Engage, what share of 999 calls in Kent were answered late?', 'ask', 'kent'],
  ])('reads the question %s', (q, intent, force) => {
    expect(read(q)).toMatchObject({ intent, force });
  });

  it('keeps the conversation force for a follow-up that names none', () => {
    expect(read('what did they say?', 'wiltshire')).toMatchObject({
      intent: 'responses',
      force: 'wiltshire',
    });
    expect(read('what did Kent Police say?', 'wiltshire').force).toBe('kent');
  });

  it('flags a force argument that matches no force', () => {
    expect(read('/status atlantis')).toMatchObject({ intent: 'status', force: null, unknown: 'atlantis' });
    expect(read('/status')).toMatchObject({ unknown: '' });
  });
});
