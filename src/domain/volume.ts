/** A carrier's count of every parcel it delivered in a region on a day: the denominator of locker share. */
export interface VolumeReport {
  carrierId: string;
  regionCode: string;
  /** Asia/Shanghai day, YYYY-MM-DD. */
  date: string;
  deliveredTotal: number;
  deliveredWithin24h: number | null;
  deliveredWithin72h: number | null;
  /** Lower than the carrier's own locker deposits in that region and day: accepted, but flagged. */
  inconsistent: boolean;
  createdAt: number;
  updatedAt: number;
}

export interface VolumeInput {
  regionCode: string;
  date: string;
  deliveredTotal: number;
  deliveredWithin24h?: number | undefined;
  deliveredWithin72h?: number | undefined;
}

/** Rules a report must meet beyond its shape; each broken one is a sentence for the sender. */
export function volumeProblems(input: VolumeInput, today: string): string[] {
  const problems: string[] = [];
  if (input.date > today) problems.push(`date ${input.date} is in the future (today is ${today} in Asia/Shanghai)`);
  const { deliveredTotal: total, deliveredWithin24h: d24, deliveredWithin72h: d72 } = input;
  if (d24 !== undefined && d24 > total) problems.push(`deliveredWithin24h (${d24}) exceeds deliveredTotal (${total})`);
  if (d72 !== undefined && d72 > total) problems.push(`deliveredWithin72h (${d72}) exceeds deliveredTotal (${total})`);
  if (d24 !== undefined && d72 !== undefined && d24 > d72) problems.push(`deliveredWithin24h (${d24}) exceeds deliveredWithin72h (${d72})`);
  return problems;
}
