-- Development seed of the register of units (ops/stack.sh up): Dutch embassies and consulates
-- general where abandonment and foreign-divorce cases arise, beside LKHA (which migration 0014
-- always creates). Codes are the posts' own short names. Applied as the database owner; running
-- it again changes nothing.
INSERT INTO units.units (code, kind, name, city, country, active, inactive_reason, created_by,
                         created_at)
VALUES
  ('RABAT',       'UNIT_KIND_POST', 'Embassy of the Netherlands in Rabat',                'Rabat',       'MA', true,  '', 'ops/seed', now()),
  ('CASABLANCA',  'UNIT_KIND_POST', 'Consulate-General of the Netherlands in Casablanca', 'Casablanca',  'MA', true,  '', 'ops/seed', now()),
  ('TUNIS',       'UNIT_KIND_POST', 'Embassy of the Netherlands in Tunis',                'Tunis',       'TN', true,  '', 'ops/seed', now()),
  ('ALGIERS',     'UNIT_KIND_POST', 'Embassy of the Netherlands in Algiers',              'Algiers',     'DZ', true,  '', 'ops/seed', now()),
  ('CAIRO',       'UNIT_KIND_POST', 'Embassy of the Netherlands in Cairo',                'Cairo',       'EG', true,  '', 'ops/seed', now()),
  ('ANKARA',      'UNIT_KIND_POST', 'Embassy of the Netherlands in Ankara',               'Ankara',      'TR', true,  '', 'ops/seed', now()),
  ('ISTANBUL',    'UNIT_KIND_POST', 'Consulate-General of the Netherlands in Istanbul',   'Istanbul',    'TR', true,  '', 'ops/seed', now()),
  ('AMMAN',       'UNIT_KIND_POST', 'Embassy of the Netherlands in Amman',                'Amman',       'JO', true,  '', 'ops/seed', now()),
  ('BEIRUT',      'UNIT_KIND_POST', 'Embassy of the Netherlands in Beirut',               'Beirut',      'LB', true,  '', 'ops/seed', now()),
  ('BAGHDAD',     'UNIT_KIND_POST', 'Embassy of the Netherlands in Baghdad',              'Baghdad',     'IQ', true,  '', 'ops/seed', now()),
  ('ERBIL',       'UNIT_KIND_POST', 'Consulate-General of the Netherlands in Erbil',      'Erbil',       'IQ', true,  '', 'ops/seed', now()),
  ('RIYADH',      'UNIT_KIND_POST', 'Embassy of the Netherlands in Riyadh',               'Riyadh',      'SA', true,  '', 'ops/seed', now()),
  ('DUBAI',       'UNIT_KIND_POST', 'Consulate-General of the Netherlands in Dubai',      'Dubai',       'AE', true,  '', 'ops/seed', now()),
  ('TEHRAN',      'UNIT_KIND_POST', 'Embassy of the Netherlands in Tehran',               'Tehran',      'IR', true,  '', 'ops/seed', now()),
  ('ISLAMABAD',   'UNIT_KIND_POST', 'Embassy of the Netherlands in Islamabad',            'Islamabad',   'PK', true,  '', 'ops/seed', now()),
  ('NEW-DELHI',   'UNIT_KIND_POST', 'Embassy of the Netherlands in New Delhi',            'New Delhi',   'IN', true,  '', 'ops/seed', now()),
  ('DHAKA',       'UNIT_KIND_POST', 'Embassy of the Netherlands in Dhaka',                'Dhaka',       'BD', true,  '', 'ops/seed', now()),
  ('KABUL',       'UNIT_KIND_POST', 'Embassy of the Netherlands in Kabul (closed)',       'Kabul',       'AF', false, 'Closed since August 2021', 'ops/seed', now()),
  ('ABUJA',       'UNIT_KIND_POST', 'Embassy of the Netherlands in Abuja',                'Abuja',       'NG', true,  '', 'ops/seed', now()),
  ('LAGOS',       'UNIT_KIND_POST', 'Consulate-General of the Netherlands in Lagos',      'Lagos',       'NG', true,  '', 'ops/seed', now()),
  ('ACCRA',       'UNIT_KIND_POST', 'Embassy of the Netherlands in Accra',                'Accra',       'GH', true,  '', 'ops/seed', now()),
  ('NAIROBI',     'UNIT_KIND_POST', 'Embassy of the Netherlands in Nairobi',              'Nairobi',     'KE', true,  '', 'ops/seed', now()),
  ('ADDIS-ABABA', 'UNIT_KIND_POST', 'Embassy of the Netherlands in Addis Ababa',          'Addis Ababa', 'ET', true,  '', 'ops/seed', now()),
  ('PARAMARIBO',  'UNIT_KIND_POST', 'Embassy of the Netherlands in Paramaribo',           'Paramaribo',  'SR', true,  '', 'ops/seed', now())
-- A post migration 0014 found in use (named by its code, country ZZ) gets its name and place.
ON CONFLICT (code) DO UPDATE SET name = EXCLUDED.name, city = EXCLUDED.city,
                                 country = EXCLUDED.country
  WHERE units.units.created_by = 'migration 0014';

-- The countries each post covers (a post is accredited to its own country and, for some, to
-- neighbours without a Dutch post).
INSERT INTO contacts.accreditations (post, country, accredited, updated_by, updated_at)
SELECT post, country, true, 'ops/seed', now()
  FROM (VALUES ('RABAT', 'MA'), ('RABAT', 'MR'), ('CASABLANCA', 'MA'), ('TUNIS', 'TN'),
               ('TUNIS', 'LY'), ('ALGIERS', 'DZ'), ('CAIRO', 'EG'), ('CAIRO', 'SD'),
               ('ANKARA', 'TR'), ('ISTANBUL', 'TR'), ('AMMAN', 'JO'), ('AMMAN', 'SY'),
               ('BEIRUT', 'LB'), ('BAGHDAD', 'IQ'), ('ERBIL', 'IQ'), ('RIYADH', 'SA'),
               ('RIYADH', 'YE'), ('DUBAI', 'AE'), ('TEHRAN', 'IR'), ('ISLAMABAD', 'PK'),
               ('ISLAMABAD', 'AF'), ('NEW-DELHI', 'IN'), ('NEW-DELHI', 'NP'), ('DHAKA', 'BD'),
               ('ABUJA', 'NG'), ('LAGOS', 'NG'), ('ACCRA', 'GH'), ('ACCRA', 'TG'),
               ('NAIROBI', 'KE'), ('NAIROBI', 'SO'), ('ADDIS-ABABA', 'ET'),
               ('ADDIS-ABABA', 'ER'), ('PARAMARIBO', 'SR'), ('PARAMARIBO', 'GY'))
       AS a (post, country)
ON CONFLICT (post, country) DO NOTHING;
