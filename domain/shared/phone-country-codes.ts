/**
 * ITU-T E.164 country calling codes that are assigned and in service, with the plausible length
 * range of the national significant number (NSN: the digits after the country code) for each.
 *
 * Lengths are deliberately forgiving: a range is only tight where the national numbering plan is
 * closed (every number has the same length) and well known. Codes whose plan varies or is poorly
 * documented get a wide range, because rejecting a real customer's number costs more than
 * accepting an unusual one.
 *
 * Left out on purpose (no number under them can exist today):
 *   0, 28x, 292–296, 214, 215, 217, 219, 259, 384, 388 (ETNS, withdrawn), 379 (reserved for the
 *   Vatican, which uses +39), 422, 424–429, 671 and 684 (Guam and American Samoa moved to +1),
 *   693–699, 801–807, 851, 854, 857–859, 871–877 and 879, 884, 885, 887, 889, 89x, 969, 978,
 *   990, 991 (ended trial), 997 (reserved for Kazakhstan, which uses +7), 999.
 *
 * E.164 codes form a prefix-free set (no code is the start of another), so the match is unique.
 */

/** Extra structural rule for the national number, beyond its length. */
export type NationalNumberRule =
  /** North American Numbering Plan: NXX-NXX-XXXX, area code and exchange code start with 2–9. */
  | 'nanp'
  /** The country dials a trunk prefix 0 domestically, so no national number starts with 0. */
  | 'no-trunk-zero';

export type CountryCallingCode = {
  /** The code without `+`, 1–3 digits. */
  readonly code: string;
  /** Country, territory or service using the code (for error messages). */
  readonly region: string;
  /** Shortest national significant number, in digits. */
  readonly minLength: number;
  /** Longest national significant number, in digits. */
  readonly maxLength: number;
  readonly rule?: NationalNumberRule;
};

const TRUNK_ZERO = 'no-trunk-zero' as const;

export const COUNTRY_CALLING_CODES: readonly CountryCallingCode[] = [
  // Zone 1
  { code: '1', region: 'USA, Canada and the Caribbean', minLength: 10, maxLength: 10, rule: 'nanp' },

  // Zone 2: Africa and some Atlantic islands
  { code: '20', region: 'Egypt', minLength: 8, maxLength: 10, rule: TRUNK_ZERO },
  { code: '211', region: 'South Sudan', minLength: 9, maxLength: 9 },
  { code: '212', region: 'Morocco', minLength: 9, maxLength: 9 },
  { code: '213', region: 'Algeria', minLength: 8, maxLength: 9 },
  { code: '216', region: 'Tunisia', minLength: 8, maxLength: 8 },
  { code: '218', region: 'Libya', minLength: 8, maxLength: 9 },
  { code: '220', region: 'Gambia', minLength: 7, maxLength: 7 },
  { code: '221', region: 'Senegal', minLength: 9, maxLength: 9 },
  { code: '222', region: 'Mauritania', minLength: 8, maxLength: 8 },
  { code: '223', region: 'Mali', minLength: 8, maxLength: 8 },
  { code: '224', region: 'Guinea', minLength: 8, maxLength: 9 },
  { code: '225', region: "Côte d'Ivoire", minLength: 8, maxLength: 10 },
  { code: '226', region: 'Burkina Faso', minLength: 8, maxLength: 8 },
  { code: '227', region: 'Niger', minLength: 8, maxLength: 8 },
  { code: '228', region: 'Togo', minLength: 8, maxLength: 8 },
  { code: '229', region: 'Benin', minLength: 8, maxLength: 10 },
  { code: '230', region: 'Mauritius', minLength: 7, maxLength: 8 },
  { code: '231', region: 'Liberia', minLength: 7, maxLength: 9 },
  { code: '232', region: 'Sierra Leone', minLength: 8, maxLength: 8 },
  { code: '233', region: 'Ghana', minLength: 9, maxLength: 9 },
  { code: '234', region: 'Nigeria', minLength: 7, maxLength: 10 },
  { code: '235', region: 'Chad', minLength: 8, maxLength: 8 },
  { code: '236', region: 'Central African Republic', minLength: 8, maxLength: 8 },
  { code: '237', region: 'Cameroon', minLength: 8, maxLength: 9 },
  { code: '238', region: 'Cape Verde', minLength: 7, maxLength: 7 },
  { code: '239', region: 'São Tomé and Príncipe', minLength: 7, maxLength: 7 },
  { code: '240', region: 'Equatorial Guinea', minLength: 9, maxLength: 9 },
  { code: '241', region: 'Gabon', minLength: 7, maxLength: 8 },
  { code: '242', region: 'Congo', minLength: 9, maxLength: 9 },
  { code: '243', region: 'DR Congo', minLength: 7, maxLength: 9 },
  { code: '244', region: 'Angola', minLength: 9, maxLength: 9 },
  { code: '245', region: 'Guinea-Bissau', minLength: 7, maxLength: 9 },
  { code: '246', region: 'Diego Garcia', minLength: 7, maxLength: 7 },
  { code: '247', region: 'Ascension Island', minLength: 4, maxLength: 5 },
  { code: '248', region: 'Seychelles', minLength: 7, maxLength: 7 },
  { code: '249', region: 'Sudan', minLength: 9, maxLength: 9 },
  { code: '250', region: 'Rwanda', minLength: 9, maxLength: 9 },
  { code: '251', region: 'Ethiopia', minLength: 9, maxLength: 9 },
  { code: '252', region: 'Somalia', minLength: 6, maxLength: 9 },
  { code: '253', region: 'Djibouti', minLength: 8, maxLength: 8 },
  { code: '254', region: 'Kenya', minLength: 9, maxLength: 10 },
  { code: '255', region: 'Tanzania', minLength: 9, maxLength: 9 },
  { code: '256', region: 'Uganda', minLength: 9, maxLength: 9 },
  { code: '257', region: 'Burundi', minLength: 8, maxLength: 8 },
  { code: '258', region: 'Mozambique', minLength: 8, maxLength: 9 },
  { code: '260', region: 'Zambia', minLength: 9, maxLength: 9 },
  { code: '261', region: 'Madagascar', minLength: 9, maxLength: 9 },
  { code: '262', region: 'Réunion and Mayotte', minLength: 9, maxLength: 9 },
  { code: '263', region: 'Zimbabwe', minLength: 5, maxLength: 10 },
  { code: '264', region: 'Namibia', minLength: 6, maxLength: 10 },
  { code: '265', region: 'Malawi', minLength: 7, maxLength: 9 },
  { code: '266', region: 'Lesotho', minLength: 8, maxLength: 8 },
  { code: '267', region: 'Botswana', minLength: 7, maxLength: 8 },
  { code: '268', region: 'Eswatini', minLength: 8, maxLength: 8 },
  { code: '269', region: 'Comoros', minLength: 7, maxLength: 7 },
  { code: '27', region: 'South Africa', minLength: 9, maxLength: 9, rule: TRUNK_ZERO },
  { code: '290', region: 'Saint Helena and Tristan da Cunha', minLength: 4, maxLength: 5 },
  { code: '291', region: 'Eritrea', minLength: 7, maxLength: 7 },
  { code: '297', region: 'Aruba', minLength: 7, maxLength: 7 },
  { code: '298', region: 'Faroe Islands', minLength: 6, maxLength: 6 },
  { code: '299', region: 'Greenland', minLength: 6, maxLength: 6 },

  // Zones 3 and 4: Europe
  { code: '30', region: 'Greece', minLength: 10, maxLength: 10 },
  { code: '31', region: 'Netherlands', minLength: 7, maxLength: 11, rule: TRUNK_ZERO },
  { code: '32', region: 'Belgium', minLength: 8, maxLength: 9, rule: TRUNK_ZERO },
  { code: '33', region: 'France', minLength: 9, maxLength: 9, rule: TRUNK_ZERO },
  { code: '34', region: 'Spain', minLength: 9, maxLength: 9 },
  { code: '350', region: 'Gibraltar', minLength: 8, maxLength: 8 },
  { code: '351', region: 'Portugal', minLength: 9, maxLength: 9 },
  { code: '352', region: 'Luxembourg', minLength: 4, maxLength: 11 },
  { code: '353', region: 'Ireland', minLength: 7, maxLength: 10, rule: TRUNK_ZERO },
  { code: '354', region: 'Iceland', minLength: 7, maxLength: 9 },
  { code: '355', region: 'Albania', minLength: 6, maxLength: 9 },
  { code: '356', region: 'Malta', minLength: 8, maxLength: 8 },
  { code: '357', region: 'Cyprus', minLength: 8, maxLength: 8 },
  { code: '358', region: 'Finland', minLength: 5, maxLength: 12, rule: TRUNK_ZERO },
  { code: '359', region: 'Bulgaria', minLength: 6, maxLength: 9, rule: TRUNK_ZERO },
  { code: '36', region: 'Hungary', minLength: 8, maxLength: 9 },
  { code: '370', region: 'Lithuania', minLength: 8, maxLength: 8 },
  { code: '371', region: 'Latvia', minLength: 8, maxLength: 8 },
  { code: '372', region: 'Estonia', minLength: 7, maxLength: 10 },
  { code: '373', region: 'Moldova', minLength: 8, maxLength: 8 },
  { code: '374', region: 'Armenia', minLength: 8, maxLength: 8 },
  { code: '375', region: 'Belarus', minLength: 9, maxLength: 10 },
  { code: '376', region: 'Andorra', minLength: 6, maxLength: 9 },
  { code: '377', region: 'Monaco', minLength: 8, maxLength: 9 },
  { code: '378', region: 'San Marino', minLength: 6, maxLength: 10 },
  { code: '380', region: 'Ukraine', minLength: 9, maxLength: 9, rule: TRUNK_ZERO },
  { code: '381', region: 'Serbia', minLength: 7, maxLength: 12 },
  { code: '382', region: 'Montenegro', minLength: 8, maxLength: 8 },
  { code: '383', region: 'Kosovo', minLength: 8, maxLength: 9 },
  { code: '385', region: 'Croatia', minLength: 6, maxLength: 9 },
  { code: '386', region: 'Slovenia', minLength: 8, maxLength: 8 },
  { code: '387', region: 'Bosnia and Herzegovina', minLength: 8, maxLength: 9 },
  { code: '389', region: 'North Macedonia', minLength: 8, maxLength: 8 },
  // Italy keeps the leading 0 of landline numbers after +39, so no trunk-zero rule here.
  { code: '39', region: 'Italy and Vatican City', minLength: 6, maxLength: 11 },
  { code: '40', region: 'Romania', minLength: 9, maxLength: 9, rule: TRUNK_ZERO },
  { code: '41', region: 'Switzerland', minLength: 9, maxLength: 12, rule: TRUNK_ZERO },
  { code: '420', region: 'Czechia', minLength: 9, maxLength: 12 },
  { code: '421', region: 'Slovakia', minLength: 9, maxLength: 9 },
  { code: '423', region: 'Liechtenstein', minLength: 7, maxLength: 9 },
  { code: '43', region: 'Austria', minLength: 5, maxLength: 13, rule: TRUNK_ZERO },
  { code: '44', region: 'United Kingdom', minLength: 7, maxLength: 10, rule: TRUNK_ZERO },
  { code: '45', region: 'Denmark', minLength: 8, maxLength: 8 },
  { code: '46', region: 'Sweden', minLength: 7, maxLength: 13, rule: TRUNK_ZERO },
  { code: '47', region: 'Norway', minLength: 5, maxLength: 12 },
  { code: '48', region: 'Poland', minLength: 9, maxLength: 9 },
  { code: '49', region: 'Germany', minLength: 6, maxLength: 13, rule: TRUNK_ZERO },

  // Zone 5: Central and South America
  { code: '500', region: 'Falkland Islands', minLength: 5, maxLength: 5 },
  { code: '501', region: 'Belize', minLength: 7, maxLength: 7 },
  { code: '502', region: 'Guatemala', minLength: 8, maxLength: 8 },
  { code: '503', region: 'El Salvador', minLength: 8, maxLength: 8 },
  { code: '504', region: 'Honduras', minLength: 8, maxLength: 8 },
  { code: '505', region: 'Nicaragua', minLength: 8, maxLength: 8 },
  { code: '506', region: 'Costa Rica', minLength: 8, maxLength: 8 },
  { code: '507', region: 'Panama', minLength: 7, maxLength: 8 },
  { code: '508', region: 'Saint Pierre and Miquelon', minLength: 6, maxLength: 6 },
  { code: '509', region: 'Haiti', minLength: 8, maxLength: 8 },
  { code: '51', region: 'Peru', minLength: 8, maxLength: 9, rule: TRUNK_ZERO },
  { code: '52', region: 'Mexico', minLength: 10, maxLength: 10 },
  { code: '53', region: 'Cuba', minLength: 6, maxLength: 8 },
  { code: '54', region: 'Argentina', minLength: 10, maxLength: 11, rule: TRUNK_ZERO },
  { code: '55', region: 'Brazil', minLength: 10, maxLength: 11, rule: TRUNK_ZERO },
  { code: '56', region: 'Chile', minLength: 8, maxLength: 9 },
  { code: '57', region: 'Colombia', minLength: 8, maxLength: 10 },
  { code: '58', region: 'Venezuela', minLength: 10, maxLength: 10, rule: TRUNK_ZERO },
  { code: '590', region: 'Guadeloupe, Saint Martin and Saint Barthélemy', minLength: 9, maxLength: 9 },
  { code: '591', region: 'Bolivia', minLength: 8, maxLength: 8 },
  { code: '592', region: 'Guyana', minLength: 7, maxLength: 7 },
  { code: '593', region: 'Ecuador', minLength: 8, maxLength: 9 },
  { code: '594', region: 'French Guiana', minLength: 9, maxLength: 9 },
  { code: '595', region: 'Paraguay', minLength: 7, maxLength: 9 },
  { code: '596', region: 'Martinique', minLength: 9, maxLength: 9 },
  { code: '597', region: 'Suriname', minLength: 6, maxLength: 7 },
  { code: '598', region: 'Uruguay', minLength: 8, maxLength: 8 },
  { code: '599', region: 'Curaçao and the Caribbean Netherlands', minLength: 7, maxLength: 8 },

  // Zone 6: South-East Asia and Oceania
  { code: '60', region: 'Malaysia', minLength: 8, maxLength: 10, rule: TRUNK_ZERO },
  { code: '61', region: 'Australia', minLength: 9, maxLength: 9, rule: TRUNK_ZERO },
  { code: '62', region: 'Indonesia', minLength: 7, maxLength: 12, rule: TRUNK_ZERO },
  { code: '63', region: 'Philippines', minLength: 8, maxLength: 10, rule: TRUNK_ZERO },
  { code: '64', region: 'New Zealand', minLength: 8, maxLength: 10, rule: TRUNK_ZERO },
  { code: '65', region: 'Singapore', minLength: 8, maxLength: 8 },
  { code: '66', region: 'Thailand', minLength: 8, maxLength: 9, rule: TRUNK_ZERO },
  { code: '670', region: 'Timor-Leste', minLength: 7, maxLength: 8 },
  { code: '672', region: 'Australian External Territories', minLength: 6, maxLength: 6 },
  { code: '673', region: 'Brunei', minLength: 7, maxLength: 7 },
  { code: '674', region: 'Nauru', minLength: 7, maxLength: 7 },
  { code: '675', region: 'Papua New Guinea', minLength: 7, maxLength: 8 },
  { code: '676', region: 'Tonga', minLength: 5, maxLength: 7 },
  { code: '677', region: 'Solomon Islands', minLength: 5, maxLength: 7 },
  { code: '678', region: 'Vanuatu', minLength: 5, maxLength: 7 },
  { code: '679', region: 'Fiji', minLength: 7, maxLength: 7 },
  { code: '680', region: 'Palau', minLength: 7, maxLength: 7 },
  { code: '681', region: 'Wallis and Futuna', minLength: 6, maxLength: 9 },
  { code: '682', region: 'Cook Islands', minLength: 5, maxLength: 5 },
  { code: '683', region: 'Niue', minLength: 4, maxLength: 7 },
  { code: '685', region: 'Samoa', minLength: 5, maxLength: 7 },
  { code: '686', region: 'Kiribati', minLength: 5, maxLength: 8 },
  { code: '687', region: 'New Caledonia', minLength: 6, maxLength: 6 },
  { code: '688', region: 'Tuvalu', minLength: 5, maxLength: 7 },
  { code: '689', region: 'French Polynesia', minLength: 6, maxLength: 8 },
  { code: '690', region: 'Tokelau', minLength: 4, maxLength: 7 },
  { code: '691', region: 'Micronesia', minLength: 7, maxLength: 7 },
  { code: '692', region: 'Marshall Islands', minLength: 7, maxLength: 7 },

  // Zone 7
  { code: '7', region: 'Russia and Kazakhstan', minLength: 10, maxLength: 10, rule: TRUNK_ZERO },

  // Zone 8: East Asia and global services
  { code: '800', region: 'International Freephone', minLength: 8, maxLength: 8 },
  { code: '808', region: 'International Shared Cost Service', minLength: 8, maxLength: 8 },
  { code: '81', region: 'Japan', minLength: 8, maxLength: 10, rule: TRUNK_ZERO },
  { code: '82', region: 'South Korea', minLength: 8, maxLength: 11, rule: TRUNK_ZERO },
  { code: '84', region: 'Vietnam', minLength: 9, maxLength: 10, rule: TRUNK_ZERO },
  { code: '850', region: 'North Korea', minLength: 4, maxLength: 12 },
  { code: '852', region: 'Hong Kong', minLength: 8, maxLength: 9 },
  { code: '853', region: 'Macau', minLength: 8, maxLength: 8 },
  { code: '855', region: 'Cambodia', minLength: 8, maxLength: 9, rule: TRUNK_ZERO },
  { code: '856', region: 'Laos', minLength: 8, maxLength: 10 },
  { code: '86', region: 'China', minLength: 7, maxLength: 11, rule: TRUNK_ZERO },
  { code: '870', region: 'Inmarsat', minLength: 9, maxLength: 9 },
  { code: '878', region: 'Universal Personal Telecommunications', minLength: 4, maxLength: 12 },
  { code: '880', region: 'Bangladesh', minLength: 6, maxLength: 10, rule: TRUNK_ZERO },
  { code: '881', region: 'Global Mobile Satellite System', minLength: 4, maxLength: 12 },
  { code: '882', region: 'International Networks', minLength: 4, maxLength: 12 },
  { code: '883', region: 'International Networks', minLength: 4, maxLength: 12 },
  { code: '886', region: 'Taiwan', minLength: 8, maxLength: 9, rule: TRUNK_ZERO },
  { code: '888', region: 'OCHA disaster relief telecommunications', minLength: 4, maxLength: 12 },

  // Zone 9: West, Central and South Asia, Middle East
  { code: '90', region: 'Turkey', minLength: 10, maxLength: 10, rule: TRUNK_ZERO },
  { code: '91', region: 'India', minLength: 10, maxLength: 10, rule: TRUNK_ZERO },
  { code: '92', region: 'Pakistan', minLength: 8, maxLength: 10, rule: TRUNK_ZERO },
  { code: '93', region: 'Afghanistan', minLength: 9, maxLength: 9 },
  { code: '94', region: 'Sri Lanka', minLength: 9, maxLength: 9 },
  { code: '95', region: 'Myanmar', minLength: 7, maxLength: 10 },
  { code: '960', region: 'Maldives', minLength: 7, maxLength: 7 },
  { code: '961', region: 'Lebanon', minLength: 7, maxLength: 8 },
  { code: '962', region: 'Jordan', minLength: 8, maxLength: 9 },
  { code: '963', region: 'Syria', minLength: 8, maxLength: 9 },
  { code: '964', region: 'Iraq', minLength: 8, maxLength: 10 },
  { code: '965', region: 'Kuwait', minLength: 8, maxLength: 8 },
  { code: '966', region: 'Saudi Arabia', minLength: 8, maxLength: 10, rule: TRUNK_ZERO },
  { code: '967', region: 'Yemen', minLength: 7, maxLength: 9 },
  { code: '968', region: 'Oman', minLength: 8, maxLength: 8 },
  { code: '970', region: 'Palestine', minLength: 8, maxLength: 9 },
  { code: '971', region: 'United Arab Emirates', minLength: 8, maxLength: 9, rule: TRUNK_ZERO },
  { code: '972', region: 'Israel', minLength: 8, maxLength: 10, rule: TRUNK_ZERO },
  { code: '973', region: 'Bahrain', minLength: 8, maxLength: 8 },
  { code: '974', region: 'Qatar', minLength: 7, maxLength: 8 },
  { code: '975', region: 'Bhutan', minLength: 7, maxLength: 8 },
  { code: '976', region: 'Mongolia', minLength: 6, maxLength: 10 },
  { code: '977', region: 'Nepal', minLength: 8, maxLength: 10 },
  { code: '979', region: 'International Premium Rate Service', minLength: 4, maxLength: 12 },
  { code: '98', region: 'Iran', minLength: 10, maxLength: 10, rule: TRUNK_ZERO },
  { code: '992', region: 'Tajikistan', minLength: 9, maxLength: 9 },
  { code: '993', region: 'Turkmenistan', minLength: 8, maxLength: 8 },
  { code: '994', region: 'Azerbaijan', minLength: 9, maxLength: 9 },
  { code: '995', region: 'Georgia', minLength: 9, maxLength: 9 },
  { code: '996', region: 'Kyrgyzstan', minLength: 9, maxLength: 9 },
  { code: '998', region: 'Uzbekistan', minLength: 9, maxLength: 9 },
];

const BY_CODE: ReadonlyMap<string, CountryCallingCode> = new Map(COUNTRY_CALLING_CODES.map((entry) => [entry.code, entry]));

/**
 * The country calling code that the given digits (an E.164 number without `+`) start with,
 * trying the longest candidate first; undefined when no assigned code matches.
 */
export function findCountryCallingCode(digits: string): CountryCallingCode | undefined {
  for (let length = Math.min(3, digits.length); length >= 1; length--) {
    const entry = BY_CODE.get(digits.slice(0, length));
    if (entry !== undefined) return entry;
  }
  return undefined;
}
