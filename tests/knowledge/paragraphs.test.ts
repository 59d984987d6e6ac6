import { describe, expect, it } from 'vitest';
import { bodyParagraphs } from '../../src/knowledge/paragraphs.js';

describe('bodyParagraphs', () => {
  it('reads one paragraph per line, as pasted from a web page', () => {
    const body =
      'Kent Police has been placed into special measures.\nThe force said it accepted the findings.\n';
    expect(bodyParagraphs(body)).toEqual({
      paragraphs: [
        'Kent Police has been placed into special measures.',
        'The force said it accepted the findings.',
      ],
      joined: 0,
    });
  });

  it('joins text hard-wrapped at 80 columns, paragraphs separated by blank lines', () => {
    const body = [
      'Kent Police has been placed into special measures by the police inspectorate',
      'after inspectors found the force was failing to answer 999 calls quickly enough,',
      'leaving victims waiting for hours. Chief Constable Tim Smith said the force',
      'accepted the findings.',
      '',
      'HMICFRS said it would monitor the force closely and would publish a further',
      'report on the progress Kent Police had made.',
    ].join('\n');
    const { paragraphs, joined } = bodyParagraphs(body);
    expect(paragraphs).toEqual([
      'Kent Police has been placed into special measures by the police inspectorate after inspectors found the force was failing to answer 999 calls quickly enough, leaving victims waiting for hours. Chief Constable Tim Smith said the force accepted the findings.',
      'HMICFRS said it would monitor the force closely and would publish a further report on the progress Kent Police had made.',
    ]);
    expect(joined).toBe(4);
  });

  it('keeps headings, list items and their continuation lines apart in wrapped text', () => {
    const body = [
      '## What the inspectors found',
      '',
      'Inspectors found that the force was not answering calls quickly enough and that',
      'victims were waiting for hours, and that the force had too few detectives for',
      'the investigations it had:',
      '',
      '- the force was failing to answer 999 calls within the national',
      '  target of ten seconds',
      '- victims were not kept informed',
    ].join('\n');
    expect(bodyParagraphs(body).paragraphs).toEqual([
      '## What the inspectors found',
      'Inspectors found that the force was not answering calls quickly enough and that victims were waiting for hours, and that the force had too few detectives for the investigations it had:',
      '- the force was failing to answer 999 calls within the national target of ten seconds',
      '- victims were not kept informed',
    ]);
  });

  it('leaves page furniture and a list after a colon on their own lines', () => {
    const body = [
      'Read more',
      'Bus lane cameras on Botley Road switched on',
      'Oxford United confirm new signing ahead of weekend',
      'The report found three areas of concern:',
      'the force did not answer calls quickly enough and',
      'victims were not told about their rights',
      'Yes / No',
    ].join('\n');
    expect(bodyParagraphs(body)).toEqual({ paragraphs: body.split('\n'), joined: 0 });
  });
});
