import { createDataSource, dialectOf } from '../src/adapters/mysql/dataSource';

describe('the view database chosen by the scheme of VIEW_DB_URL', () => {
  it('when the URL is mysql://, then the DataSource is MySQL (mysql2) with the released migration, unchanged', () => {
    const db = createDataSource('mysql://u:p@127.0.0.1:3306/d');
    expect(dialectOf('mysql://u:p@127.0.0.1:3306/d')).toBe('mysql');
    expect(db.options.type).toBe('mysql');
    expect((db.options.migrations as Array<{ name: string }>).map((m) => m.name)).toEqual([
      'CreateView1764000000000',
      'RoomViewsByHost1780000000000',
      'RoomSearch1790000000000',
    ]);
    expect(db.options.migrationsTableName).toBe('view_migrations');
  });

  it.each(['postgres://u:p@127.0.0.1:5432/d', 'postgresql://u:p@127.0.0.1:5432/d', 'POSTGRES://u:p@h/d'])(
    'when the URL is %s, then the DataSource is PostgreSQL (pg) with its own migration',
    (url) => {
      const db = createDataSource(url);
      expect(dialectOf(url)).toBe('postgres');
      expect(db.options.type).toBe('postgres');
      expect((db.options.migrations as Array<{ name: string }>).map((m) => m.name)).toEqual([
        'CreateViewPg1764000000000',
        'RoomViewsByHostPg1780000000000',
        'RoomSearchPg1790000000000',
      ]);
      expect(db.options.migrationsTableName).toBe('view_migrations');
    },
  );

  it.each(['mariadb://u:p@h/d', 'sqlite:///tmp/x', '127.0.0.1:3306/d', ''])(
    'when the URL is "%s", then it is refused, naming the schemes',
    (url) => {
      expect(() => createDataSource(url)).toThrow(/VIEW_DB_URL: unknown scheme.*mysql:\/\/, postgres:\/\/ or postgresql:\/\//);
    },
  );
});
