import type { SpeakerRole, Topic } from '../knowledge/schema.js';

/** What was asked for: the slash commands, and `ask` for free text. */
export type Intent = 'status' | 'findings' | 'responses' | 'ask' | 'forces' | 'sources';
export type Stage = 'engage' | 'scan' | 'unknown';

/** One verbatim sentence shown to the user, with where it comes from. Numbered in the order shown. */
export interface Citation {
  n: number;
  /** The sentence exactly as published. */
  text: string;
  articleId: string;
  title: string;
  publisher: string;
  published: string;
  url: string | null;
  passageId: string;
  speaker: string | null;
  speakerRole: SpeakerRole | null;
  topic: Topic;
  /** Index into `Answer.sources`. */
  source: number;
}

/** An article cited by the answer (or listed by `/sources`). */
export interface Source {
  articleId: string;
  title: string;
  publisher: string;
  published: string;
  url: string | null;
  /** Passages in the article (for `/sources`). */
  passages?: number;
  /** Forces the article is about (for `/sources`). */
  forces?: string[];
}

/** A dated piece of status evidence; `citations` are numbers into `Answer.citations`. */
export interface StatusEvent {
  stage: Exclude<Stage, 'unknown'>;
  date: string;
  articleId: string;
  citations: number[];
}

export interface StatusInfo {
  stage: Stage;
  /** First report of the current stage (continuous run of evidence), YYYY-MM-DD. */
  since: string | null;
  /** Newest evidence, YYYY-MM-DD. */
  asOf: string | null;
  /** Caveat in the bot's own words, e.g. a newer list of Engage forces that leaves this one out. */
  note: string | null;
  /** Citations supporting the current stage (from the newest evidence). */
  evidence: number[];
  /** Older evidence, newest first. */
  history: StatusEvent[];
}

export interface ForceStatusRow {
  force: string;
  name: string;
  stage: Stage;
  since: string | null;
  asOf: string | null;
  note: string | null;
  /** Citation numbers (into `Answer.citations`) of the evidence shown for this row. */
  evidence: number[];
}

/**
 * The one answer shape every front end renders (CLI text, JSON, Discord embeds). Only `citations` carry
 * article text; `headline`, `message` and `note` are the bot's own short framing and never claim a fact
 * that is not in a cited sentence.
 */
export interface Answer {
  query: string;
  intent: Intent;
  /** The force the answer is about (slug), or null. */
  force: string | null;
  forceName: string | null;
  answered: boolean;
  /** One line in the bot's words: "West Midlands Police is in Engage …" or why it cannot answer. */
  headline: string;
  status: StatusInfo | null;
  statuses: ForceStatusRow[] | null;
  /** Best first. */
  citations: Citation[];
  sources: Source[];
  /** What the user could ask instead (shown when abstaining). */
  suggestions: string[];
}
