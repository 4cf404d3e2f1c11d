/** @billing/money: exact money and the platform's one rounding rule (see `money.ts`). */
export * from './money.js';
