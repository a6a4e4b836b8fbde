export const OPERATOR_ROLES = ['operator', 'viewer'] as const;
export type OperatorRole = (typeof OPERATOR_ROLES)[number];

export interface OperatorToken {
  id: string;
  name: string;
  role: OperatorRole;
  createdAt: number;
  revokedAt: number | null;
}

export function canOperate(role: OperatorRole): boolean {
  return role === 'operator';
}
