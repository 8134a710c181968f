//! The interface the shared queries (`queries/`) are written against, so that each statement
//! is written once for both databases.
//!
//! Both sqlx drivers take numbered parameters (`$1`, `$2`, …; SQLite reads `$N` as parameter
//! N, reused wherever it appears), so one statement text serves SQLite and PostgreSQL, and
//! sqlx runs it generically over its `Database` trait. What generic code cannot do is state
//! sqlx's bounds once: a function generic over the database must repeat a dozen of them
//! (`Option<&str>: Encode<'q, DB> + Type<DB>`, `&mut DB::Connection: Executor`, `FromRow` for
//! each row, …), because Rust implies only bounds on `Self` and its associated types. Here
//! they are stated once, in the blanket impl of [`Conn`] for every sqlx connection whose
//! database has them (SQLite's and PostgreSQL's), and a [`Dialect`](crate::dialect::Dialect)
//! promises that its connection is one. The queries see three things:
//!
//! - [`Db`], where a statement runs: `&pool` (which lends a connection for the statement, as
//!   sqlx's `&Pool` executor does) or `&mut *tx` (a transaction's connection);
//! - [`Arg`], a bound value of one of the schema's column types;
//! - [`FromSqlRow`], a record read from a row by column position ([`SqlRow`]).
//!
//! Statements stay `&'static str` and run through `sqlx::query`, so sqlx prepares each once
//! per connection and keeps it in its statement cache, as before.

use std::ops::DerefMut;

use futures_util::TryStreamExt as _;
use hallpass_core::store::Each;
use hallpass_core::{Error, Result, Timestamp};
use sqlx::pool::PoolConnection;
use sqlx::query::Query;
use sqlx::{Database, Encode, IntoArguments, Pool, Transaction, Type};

use crate::error::map_err;

/// A value bound to a numbered parameter: one of the schema's column types, each nullable.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Arg<'a> {
    /// TEXT.
    Text(Option<&'a str>),
    /// INTEGER (SQLite) or BIGINT (PostgreSQL): counts, limits and millisecond times.
    Int(Option<i64>),
    /// BLOB (SQLite) or BYTEA (PostgreSQL).
    Bytes(Option<&'a [u8]>),
}

impl<'a> From<&'a str> for Arg<'a> {
    fn from(value: &'a str) -> Self {
        Self::Text(Some(value))
    }
}

impl<'a> From<Option<&'a str>> for Arg<'a> {
    fn from(value: Option<&'a str>) -> Self {
        Self::Text(value)
    }
}

impl From<i64> for Arg<'_> {
    fn from(value: i64) -> Self {
        Self::Int(Some(value))
    }
}

impl From<Option<i64>> for Arg<'_> {
    fn from(value: Option<i64>) -> Self {
        Self::Int(value)
    }
}

impl From<Timestamp> for Arg<'_> {
    fn from(value: Timestamp) -> Self {
        Self::Int(Some(value.as_millis()))
    }
}

impl From<Option<Timestamp>> for Arg<'_> {
    fn from(value: Option<Timestamp>) -> Self {
        Self::Int(value.map(Timestamp::as_millis))
    }
}

impl<'a> From<&'a [u8]> for Arg<'a> {
    fn from(value: &'a [u8]) -> Self {
        Self::Bytes(Some(value))
    }
}

impl<'a> From<Option<&'a [u8]>> for Arg<'a> {
    fn from(value: Option<&'a [u8]>) -> Self {
        Self::Bytes(value)
    }
}

/// A result row, read by column position (the order of the `*_columns!` lists).
pub(crate) trait SqlRow {
    /// A nullable TEXT column.
    fn opt_text(&self, column: usize) -> Result<Option<String>>;
    /// A nullable integer column.
    fn opt_int(&self, column: usize) -> Result<Option<i64>>;
    /// A nullable BLOB/BYTEA column.
    fn opt_bytes(&self, column: usize) -> Result<Option<Vec<u8>>>;

    /// A TEXT column that is never NULL.
    fn text(&self, column: usize) -> Result<String> {
        self.opt_text(column)?.ok_or_else(|| null(column))
    }
    /// An integer column that is never NULL.
    fn int(&self, column: usize) -> Result<i64> {
        self.opt_int(column)?.ok_or_else(|| null(column))
    }
    /// A BLOB/BYTEA column that is never NULL.
    fn bytes(&self, column: usize) -> Result<Vec<u8>> {
        self.opt_bytes(column)?.ok_or_else(|| null(column))
    }
    /// A time (milliseconds) that is never NULL.
    fn timestamp(&self, column: usize) -> Result<Timestamp> {
        self.int(column).map(Timestamp::from_millis)
    }
    /// A nullable time (milliseconds).
    fn opt_timestamp(&self, column: usize) -> Result<Option<Timestamp>> {
        Ok(self.opt_int(column)?.map(Timestamp::from_millis))
    }
}

/// NULL where the schema has NOT NULL: data written by something else.
fn null(column: usize) -> Error {
    Error::Internal(format!(
        "stored data cannot be read: column {column} is NULL"
    ))
}

/// Every sqlx row whose database decodes the schema's column types.
impl<R> SqlRow for R
where
    R: sqlx::Row,
    usize: sqlx::ColumnIndex<R>,
    String: for<'r> sqlx::Decode<'r, R::Database> + Type<R::Database>,
    i64: for<'r> sqlx::Decode<'r, R::Database> + Type<R::Database>,
    Vec<u8>: for<'r> sqlx::Decode<'r, R::Database> + Type<R::Database>,
{
    fn opt_text(&self, column: usize) -> Result<Option<String>> {
        self.try_get(column).map_err(map_err)
    }

    fn opt_int(&self, column: usize) -> Result<Option<i64>> {
        self.try_get(column).map_err(map_err)
    }

    fn opt_bytes(&self, column: usize) -> Result<Option<Vec<u8>>> {
        self.try_get(column).map_err(map_err)
    }
}

/// A record a query returns, one per row.
pub(crate) trait FromSqlRow: Sized + Send {
    /// Reads the record from `row`.
    fn from_row(row: &impl SqlRow) -> Result<Self>;
}

/// `COUNT(*)` and other single integers.
impl FromSqlRow for i64 {
    fn from_row(row: &impl SqlRow) -> Result<Self> {
        row.int(0)
    }
}

/// `MAX(…)` and other single integers that may be NULL.
impl FromSqlRow for Option<i64> {
    fn from_row(row: &impl SqlRow) -> Result<Self> {
        row.opt_int(0)
    }
}

/// A single text column (`RETURNING kid`).
impl FromSqlRow for String {
    fn from_row(row: &impl SqlRow) -> Result<Self> {
        row.text(0)
    }
}

/// How many rows a statement wrote, which sqlx reports per driver rather than through
/// `Database`.
pub(crate) trait RowsAffected {
    /// The count.
    fn rows_affected(&self) -> u64;
}

impl RowsAffected for sqlx::sqlite::SqliteQueryResult {
    fn rows_affected(&self) -> u64 {
        self.rows_affected()
    }
}

impl RowsAffected for sqlx::postgres::PgQueryResult {
    fn rows_affected(&self) -> u64 {
        self.rows_affected()
    }
}

/// A connection the shared queries run on. Only [`Db`] calls these; the queries call [`Db`].
pub(crate) trait Conn: Send {
    /// Runs a statement; answers how many rows it wrote.
    fn run(
        &mut self,
        sql: &'static str,
        args: &[Arg<'_>],
    ) -> impl Future<Output = Result<u64>> + Send;
    /// Every row of a query, as records, each handed to `each` as it arrives; answers how
    /// many.
    fn each_row<R: FromSqlRow>(
        &mut self,
        sql: &'static str,
        args: &[Arg<'_>],
        each: Each<'_, R>,
    ) -> impl Future<Output = Result<u64>> + Send;
    /// The first row of a query, if any.
    fn first_row<R: FromSqlRow>(
        &mut self,
        sql: &'static str,
        args: &[Arg<'_>],
    ) -> impl Future<Output = Result<Option<R>>> + Send;
}

/// Every sqlx connection whose database binds and decodes the schema's column types: the one
/// place sqlx's generic bounds are written.
impl<C> Conn for C
where
    C: sqlx::Connection,
    for<'c> &'c mut C: sqlx::Executor<'c, Database = C::Database>,
    for<'q> <C::Database as Database>::Arguments<'q>: IntoArguments<'q, C::Database>,
    for<'q> Option<&'q str>: Encode<'q, C::Database> + Type<C::Database>,
    for<'q> Option<i64>: Encode<'q, C::Database> + Type<C::Database>,
    for<'q> Option<&'q [u8]>: Encode<'q, C::Database> + Type<C::Database>,
    <C::Database as Database>::Row: SqlRow,
    <C::Database as Database>::QueryResult: RowsAffected,
{
    async fn run(&mut self, sql: &'static str, args: &[Arg<'_>]) -> Result<u64> {
        let done = bind(sqlx::query(sql), args)
            .execute(self)
            .await
            .map_err(map_err)?;
        Ok(done.rows_affected())
    }

    async fn each_row<R: FromSqlRow>(
        &mut self,
        sql: &'static str,
        args: &[Arg<'_>],
        each: Each<'_, R>,
    ) -> Result<u64> {
        let mut rows = bind(sqlx::query(sql), args).fetch(self);
        let mut read = 0;
        while let Some(row) = rows.try_next().await.map_err(map_err)? {
            each(R::from_row(&row)?);
            read += 1;
        }
        Ok(read)
    }

    async fn first_row<R: FromSqlRow>(
        &mut self,
        sql: &'static str,
        args: &[Arg<'_>],
    ) -> Result<Option<R>> {
        let row = bind(sqlx::query(sql), args)
            .fetch_optional(self)
            .await
            .map_err(map_err)?;
        row.as_ref().map(R::from_row).transpose()
    }
}

/// `query` with `args` bound to `$1`, `$2`, … in order.
fn bind<'q, DB>(
    mut query: Query<'q, DB, DB::Arguments<'q>>,
    args: &[Arg<'q>],
) -> Query<'q, DB, DB::Arguments<'q>>
where
    DB: Database,
    Option<&'q str>: Encode<'q, DB> + Type<DB>,
    Option<i64>: Encode<'q, DB> + Type<DB>,
    Option<&'q [u8]>: Encode<'q, DB> + Type<DB>,
{
    for arg in args {
        query = match *arg {
            Arg::Text(value) => query.bind(value),
            Arg::Int(value) => query.bind(value),
            Arg::Bytes(value) => query.bind(value),
        };
    }
    query
}

/// Where a statement runs, taken by value as sqlx's executors are: `&pool` lends a connection
/// for the one statement, `&mut *tx` runs it in the transaction.
pub(crate) trait Db: Send + Sized {
    /// The connection the statement runs on.
    type Conn: Conn + ?Sized;
    /// That connection, held while the statement runs.
    type Held: DerefMut<Target = Self::Conn> + Send;

    /// The connection to run on (from the pool, or this one).
    fn connection(self) -> impl Future<Output = Result<Self::Held>> + Send;

    /// Runs a statement; answers how many rows it wrote.
    fn execute(
        self,
        sql: &'static str,
        args: &[Arg<'_>],
    ) -> impl Future<Output = Result<u64>> + Send {
        async move { self.connection().await?.run(sql, args).await }
    }

    /// Every row of a query, as records.
    fn fetch_all<R: FromSqlRow>(
        self,
        sql: &'static str,
        args: &[Arg<'_>],
    ) -> impl Future<Output = Result<Vec<R>>> + Send {
        async move {
            let mut records = Vec::new();
            self.for_each(sql, args, &mut |r| records.push(r)).await?;
            Ok(records)
        }
    }

    /// Every row of a query, as records, each handed to `each` as it is read (none held
    /// meanwhile); answers how many.
    fn for_each<R: FromSqlRow>(
        self,
        sql: &'static str,
        args: &[Arg<'_>],
        each: Each<'_, R>,
    ) -> impl Future<Output = Result<u64>> + Send {
        async move { self.connection().await?.each_row(sql, args, each).await }
    }

    /// The first row of a query, if any.
    fn fetch_optional<R: FromSqlRow>(
        self,
        sql: &'static str,
        args: &[Arg<'_>],
    ) -> impl Future<Output = Result<Option<R>>> + Send {
        async move { self.connection().await?.first_row(sql, args).await }
    }

    /// The first row of a query that always returns one (`COUNT(*)`, `MAX(…)`).
    fn fetch_one<R: FromSqlRow>(
        self,
        sql: &'static str,
        args: &[Arg<'_>],
    ) -> impl Future<Output = Result<R>> + Send {
        async move {
            self.fetch_optional(sql, args)
                .await?
                .ok_or_else(|| map_err(sqlx::Error::RowNotFound))
        }
    }
}

impl<C: Conn> Db for &mut C {
    type Conn = C;
    type Held = Self;

    async fn connection(self) -> Result<Self> {
        Ok(self)
    }
}

impl<DB> Db for &Pool<DB>
where
    DB: Database<Connection: Conn>,
{
    type Conn = DB::Connection;
    type Held = PoolConnection<DB>;

    async fn connection(self) -> Result<PoolConnection<DB>> {
        self.acquire().await.map_err(map_err)
    }
}

/// Begins a transaction with `statement`, or with the driver's plain `BEGIN` for `None`.
pub(crate) async fn begin<DB: Database>(
    pool: &Pool<DB>,
    statement: Option<&'static str>,
) -> Result<Transaction<'static, DB>> {
    match statement {
        Some(statement) => pool.begin_with(statement).await,
        None => pool.begin().await,
    }
    .map_err(map_err)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What one statement text for both databases rests on: sqlx's SQLite driver binds `$N`
    /// to the N-th value, whatever order the parameters appear in and however often.
    #[tokio::test]
    async fn sqlite_binds_numbered_parameters_by_number() {
        let pool = sqlx::SqlitePool::connect("sqlite::memory:")
            .await
            .expect("memory database");
        let row: Option<Pair> = pool
            .fetch_optional("SELECT $2 || $1, $1 + 0", &[Arg::Int(Some(7)), "x".into()])
            .await
            .expect("query");
        assert_eq!(row, Some(Pair("x7".into(), 7)));
    }

    #[derive(Debug, PartialEq)]
    struct Pair(String, i64);

    impl FromSqlRow for Pair {
        fn from_row(row: &impl SqlRow) -> Result<Self> {
            Ok(Self(row.text(0)?, row.int(1)?))
        }
    }
}
