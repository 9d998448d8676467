import { ConfigError } from '@staycar/common';
import { createDataSource, dialectOf } from '../src/adapters/typeorm/dataSource';

describe('the message database chosen by the scheme of MESSAGE_DB_URL', () => {
  it('when the URL is mysql://, then the DataSource is MySQL (mysql2) with the MySQL migration', () => {
    const db = createDataSource('mysql://u:p@127.0.0.1:3306/d');
    expect(db.options.type).toBe('mysql');
    expect((db.options.migrations as Array<{ name: string }>).map((m) => m.name)).toEqual(['CreateMessages1765000000000']);
    expect(db.options.migrationsTableName).toBe('message_migrations');
  });

  it.each(['postgres://u:p@127.0.0.1:5432/d', 'postgresql://u:p@h/d'])(
    'when the URL is %s, then the DataSource is PostgreSQL (pg) with its own migration',
    (url) => {
      const db = createDataSource(url);
      expect(dialectOf(url)).toBe('postgres');
      expect(db.options.type).toBe('postgres');
      expect((db.options.migrations as Array<{ name: string }>).map((m) => m.name)).toEqual(['CreateMessagesPg1765000000000']);
    },
  );

  it.each(['mariadb://u:p@h/d', '127.0.0.1:3306/d', ''])(
    'when the URL is "%s", then it is refused as a configuration error naming the schemes',
    (url) => {
      expect(() => createDataSource(url)).toThrow(ConfigError);
      expect(() => createDataSource(url)).toThrow(/MESSAGE_DB_URL: unknown scheme.*mysql:\/\/, postgres:\/\/ or postgresql:\/\//);
    },
  );
});
