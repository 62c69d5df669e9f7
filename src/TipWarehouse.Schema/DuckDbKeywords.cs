using TipWarehouse.Core;

namespace TipWarehouse.Schema;

/// <summary>DuckDB keywords that cannot be a bare column name (categories 'reserved' and 'type_function' of <c>duckdb_keywords()</c>, DuckDB 1.5).</summary>
public static class DuckDbKeywords
{
    private static readonly HashSet<string> s_reserved = new(
        """
        all,analyse,analyze,and,any,array,as,asc,asymmetric,both,case,cast,check,collate,column,constraint,create,default,
        deferrable,desc,describe,distinct,do,else,end,except,false,fetch,for,foreign,from,group,having,in,initially,intersect,
        into,lambda,lateral,leading,limit,not,null,offset,on,only,or,order,pivot,pivot_longer,pivot_wider,placing,primary,
        qualify,references,returning,select,show,some,summarize,symmetric,table,then,to,trailing,true,union,unique,unpivot,
        using,variadic,when,where,window,with,
        anti,asof,at,authorization,binary,by,collation,columns,concurrently,cross,freeze,full,generated,glob,ilike,inner,is,
        isnull,join,left,like,map,natural,notnull,outer,overlaps,positional,right,semi,similar,struct,tablesample,try_cast,
        unpack,verbose
        """.Split([',', '\n', '\r', ' '], StringSplitOptions.RemoveEmptyEntries),
        StringComparer.OrdinalIgnoreCase);

    /// <summary>True when <paramref name="name"/> must be double-quoted to be used as an identifier in DuckDB.</summary>
    public static bool IsReserved(string name) => s_reserved.Contains(name);

    /// <summary>The identifier as DuckDB needs it: bare when plain, else double-quoted.</summary>
    public static string Quote(string name) =>
        TSqlText.IsPlainIdentifier(name) ? name : Sql.Identifier(name);
}
