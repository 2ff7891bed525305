import { NO_PURCHASES } from '../purchase/purchase.js';
import { describe, expect, it } from 'vitest';
import type { DomainError } from '../errors.js';
import { createCustomer, type NewCustomerInput } from './create-customer.js';
import type { Customer } from './customer.js';
import type { CustomerEvent } from './customer.events.js';
import { MAX_NAME_LENGTH } from './customer-fields.js';
import { changeContext, COMPANY_ID, CUSTOMER_ID, NOW, SALES_REP_ID, USER_ID } from './customer.fixtures.js';

const context = { ...changeContext(), customerId: CUSTOMER_ID };

function created(input: NewCustomerInput): { customer: Customer; event: CustomerEvent } {
  const result = createCustomer(input, context);
  if (!result.ok) throw new Error(`expected the customer to be created, got ${JSON.stringify(result.error)}`);
  return result.value;
}

function rejected(input: NewCustomerInput): DomainError {
  const result = createCustomer(input, context);
  if (result.ok) throw new Error(`expected the customer to be rejected, got ${JSON.stringify(result.value)}`);
  return result.error;
}

describe('createCustomer: defaults', () => {
  it('given only a name and an email, when created, then it is a free lead from an unknown source, without tags, at version 1', () => {
    const { customer } = created({ name: 'Ada Lovelace', email: 'ada@example.com' });

    expect(customer).toEqual({
      id: CUSTOMER_ID,
      userId: null,
      companyId: null,
      externalId: null,
      name: 'Ada Lovelace',
      email: 'ada@example.com',
      phone: null,
      status: 'lead',
      tier: 'free',
      source: 'unknown',
      assignedTo: null,
      tags: [],
      version: 1,
      createdAt: NOW,
      updatedAt: NOW,
      churnedAt: null,
      deletedAt: null,
      purchases: NO_PURCHASES,
      lastInteractionAt: null,
      erasedAt: null,
    });
  });

  it('given explicit nulls for the optional links and phone, when created, then they are stored as null', () => {
    const { customer } = created({ name: 'Ada', email: 'ada@example.com', phone: null, userId: null, companyId: null, assignedTo: null });

    expect([customer.phone, customer.userId, customer.companyId, customer.assignedTo]).toEqual([null, null, null, null]);
  });
});

describe('createCustomer: normalisation', () => {
  it('given untidy input, when created, then name is trimmed, email lower-cased, phone in E.164, source and tags normalised', () => {
    const { customer } = created({
      name: '  Ada Lovelace \n',
      email: '  Ada.Lovelace@Example.COM ',
      phone: '+380 12 345 6789',
      source: ' Cold-Call ',
      tags: [' VIP ', 'newsletter', 'vip', 'Region:EU'],
      tier: 'pro',
      userId: USER_ID,
      assignedTo: SALES_REP_ID,
      externalId: '  shop-4711 ',
    });

    expect(customer).toEqual({
      id: CUSTOMER_ID,
      userId: USER_ID,
      companyId: null,
      externalId: 'shop-4711',
      name: 'Ada Lovelace',
      email: 'ada.lovelace@example.com',
      phone: '+380123456789',
      status: 'lead',
      tier: 'pro',
      source: 'cold-call',
      assignedTo: SALES_REP_ID,
      tags: ['vip', 'newsletter', 'region:eu'],
      version: 1,
      createdAt: NOW,
      updatedAt: NOW,
      churnedAt: null,
      deletedAt: null,
      purchases: NO_PURCHASES,
      lastInteractionAt: null,
      erasedAt: null,
    });
  });

  it('given a B2B contact, when created, then it is linked to the company and to no user', () => {
    const { customer } = created({ name: 'Grace Hopper', email: 'grace@navy.example', companyId: COMPANY_ID });

    expect(customer.companyId).toBe(COMPANY_ID);
    expect(customer.userId).toBeNull();
  });
});

describe('createCustomer: the CustomerCreated event', () => {
  it('given a valid input, when created, then CustomerCreated carries the full public record at version 1', () => {
    const { event } = created({
      name: 'Ada Lovelace',
      email: 'ADA@example.com',
      phone: '+1 (415) 555-2671',
      source: 'website',
      tier: 'basic',
      companyId: COMPANY_ID,
      assignedTo: SALES_REP_ID,
      tags: ['b2b', 'trial'],
    });

    expect(event).toEqual({
      eventId: context.eventId,
      type: 'CustomerCreated',
      eventVersion: 1,
      aggregateType: 'customer',
      aggregateId: CUSTOMER_ID,
      aggregateVersion: 1,
      occurredAt: NOW,
      actor: 'user:alice',
      data: {
        customer: {
          id: CUSTOMER_ID,
          name: 'Ada Lovelace',
          email: 'ada@example.com',
          phone: '+14155552671',
          status: 'lead',
          tier: 'basic',
          source: 'website',
          assigned_to: SALES_REP_ID,
          tags: ['b2b', 'trial'],
          user_id: null,
          company_id: COMPANY_ID,
          version: 1,
          churned_at: null,
          created_at: NOW,
          updated_at: NOW,
          deleted_at: null,
        },
      },
    });
  });

  it('given a valid input, when created, then the record lists the public fields in the documented order', () => {
    const { event } = created({ name: 'Ada', email: 'ada@example.com' });

    expect(Object.keys(event.data['customer'] as object)).toEqual([
      'id',
      'name',
      'email',
      'phone',
      'status',
      'tier',
      'source',
      'assigned_to',
      'tags',
      'user_id',
      'company_id',
      'version',
      'churned_at',
      'created_at',
      'updated_at',
      'deleted_at',
    ]);
  });
});

describe('createCustomer: names that do not show', () => {
  it.each([
    ['zero-width spaces only', '\u200b\u200b\u200b', 'visible character'],
    ['a BOM and a zero-width joiner', '\ufeff\u200d', 'visible character'],
    ['Hangul fillers', '\u3164', 'visible character'],
    ['an ANSI escape sequence', 'Ada \u001b[31mLovelace\u001b[0m', 'control characters'],
    ['a terminal title escape', '\u001b]0;pwned\u0007Ada', 'control characters'],
    ['a C1 control', 'Ada\u0085Lovelace', 'control characters'],
    ['NUL', 'Ada\u0000', 'NUL'],
    ['an unpaired surrogate', 'Ada \ud83d', 'unpaired surrogate'],
  ])('given a name with %s, when created, then VALIDATION_FAILED names name', (_case, name, problem) => {
    const error = rejected({ name, email: 'ada@example.com' });
    expect(error.code).toBe('VALIDATION_FAILED');
    expect(error.details).toEqual({ fields: [{ field: 'name', message: expect.stringContaining(problem) }] });
  });

  it('given a name in any script, with emoji joiners, when created, then it is kept', () => {
    for (const name of ['Олена Петренко', '李小龙', 'می‌خواهم', 'Ada 👩‍💻'])
      expect(created({ name, email: 'ada@example.com' }).customer.name).toBe(name);
  });
});

describe('createCustomer: B2C xor B2B', () => {
  it('given both user_id and company_id, when created, then VALIDATION_FAILED names company_id', () => {
    const error = rejected({ name: 'Ada', email: 'ada@example.com', userId: USER_ID, companyId: COMPANY_ID });

    expect(error).toEqual({
      code: 'VALIDATION_FAILED',
      message:
        'The request is invalid. company_id: a customer is either B2C (user_id) or B2B (company_id), not both; send only one of them',
      details: {
        fields: [
          {
            field: 'company_id',
            message: 'a customer is either B2C (user_id) or B2B (company_id), not both; send only one of them',
          },
        ],
      },
    });
  });

  it('given a user_id and a null company_id, when created, then it is a B2C customer', () => {
    const { customer } = created({ name: 'Ada', email: 'ada@example.com', userId: USER_ID, companyId: null });

    expect([customer.userId, customer.companyId]).toEqual([USER_ID, null]);
  });
});

describe('createCustomer: every bad field is reported at once', () => {
  it('given a blank name, a bad email, phone, source and tag and both account links, when created, then all six issues are listed', () => {
    const error = rejected({
      name: '   ',
      email: 'not-an-email',
      phone: '12345',
      source: 'Cold Call!',
      tags: ['ok', 'not ok'],
      userId: USER_ID,
      companyId: COMPANY_ID,
    });

    expect(error.code).toBe('VALIDATION_FAILED');
    expect(error.details).toEqual({
      fields: [
        { field: 'name', message: 'name is required and cannot be blank' },
        { field: 'email', message: 'email must look like name@example.com' },
        {
          field: 'phone',
          message: 'phone must be in international format starting with + and the country code, e.g. +380123456789',
        },
        {
          field: 'source',
          message: 'source must be a lowercase slug of 1-50 characters (letters, digits, "-" or "_"), e.g. "website" or "cold-call"',
        },
        { field: 'tags', message: `tag #2 ("not ok") must be 1-50 characters of a-z, 0-9, ':', '_' or '-'` },
        {
          field: 'company_id',
          message: 'a customer is either B2C (user_id) or B2B (company_id), not both; send only one of them',
        },
      ],
    });
    expect(error.message).toMatch(/^The request is invalid\. name: .*; email: .*; phone: .*; source: .*; tags: .*; company_id: .*$/);
  });

  it('given an empty email, when created, then the email issue says it is required', () => {
    const error = rejected({ name: 'Ada', email: '' });

    expect(error.details).toEqual({ fields: [{ field: 'email', message: 'email is required' }] });
  });
});

describe('createCustomer: name length', () => {
  it(`given a name of exactly ${MAX_NAME_LENGTH} characters, when created, then it is kept as given`, () => {
    const name = 'a'.repeat(200);

    expect(created({ name, email: 'ada@example.com' }).customer.name).toBe(name);
  });

  it('given a name of 200 characters plus surrounding spaces, when created, then the trimmed name is accepted', () => {
    const name = 'b'.repeat(200);

    expect(created({ name: `  ${name}  `, email: 'ada@example.com' }).customer.name).toBe(name);
  });

  it('given a name of 200 astral characters (400 UTF-16 units), when created, then it counts as 200 characters', () => {
    const name = '😀'.repeat(200);

    expect(created({ name, email: 'ada@example.com' }).customer.name).toBe(name);
  });

  it('given a name of 201 characters, when created, then VALIDATION_FAILED names the limit', () => {
    const error = rejected({ name: 'a'.repeat(201), email: 'ada@example.com' });

    expect(error.details).toEqual({ fields: [{ field: 'name', message: 'name must be at most 200 characters' }] });
  });

  it.each(['', ' ', '\t\n '])('given the blank name %j, when created, then VALIDATION_FAILED says it is required', (name) => {
    const error = rejected({ name, email: 'ada@example.com' });

    expect(error.details).toEqual({ fields: [{ field: 'name', message: 'name is required and cannot be blank' }] });
  });
});

describe('createCustomer: external_id', () => {
  it.each([
    ['   ', 'external_id cannot be blank; send null to clear it'],
    ['x'.repeat(201), 'external_id must be at most 200 characters'],
  ])('given the external_id %j, when created, then VALIDATION_FAILED names external_id', (externalId, message) => {
    const error = rejected({ name: 'Ada', email: 'ada@example.com', externalId });
    expect(error.details).toEqual({ fields: [{ field: 'external_id', message }] });
  });

  it('given an external_id of 200 characters outside the BMP, when created, then it is kept (the limit counts characters)', () => {
    const externalId = '😀'.repeat(200);
    expect(created({ name: 'Ada', email: 'ada@example.com', externalId }).customer.externalId).toBe(externalId);
  });
});
