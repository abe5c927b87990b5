//! Turning a function into a budgeted one.

use proc_macro2::{Span, TokenStream};
use quote::{ToTokens, quote, quote_spanned};
use syn::ext::IdentExt;
use syn::spanned::Spanned;
use syn::visit_mut::VisitMut;
use syn::{AttrStyle, Block, Expr, ExprAsync, Ident, Item, ItemFn, ReturnType, Stmt, Token, Type};

use crate::args::{Args, RawArgs};

/// The whole macro: checks the arguments and the item, then rewrites the function. On any error,
/// emits the errors followed by the item as written, so the rest of the crate (and the IDE) still
/// sees the function.
pub(crate) fn query_budget(args: TokenStream, item: TokenStream) -> TokenStream {
    let parsed_args =
        syn::parse2::<RawArgs>(args.clone()).and_then(|raw| Args::from_raw(raw, &args));
    let parsed_fn = parse_fn(item.clone());
    match (parsed_args, parsed_fn) {
        (Ok(args), Ok(func)) => expand(&args, func),
        (Err(mut e), Err(item_err)) => {
            e.combine(item_err);
            with_errors(e, item)
        }
        (Err(e), Ok(_)) | (Ok(_), Err(e)) => with_errors(e, item),
    }
}

fn with_errors(err: syn::Error, item: TokenStream) -> TokenStream {
    let errors = err.to_compile_error();
    quote!(#errors #item)
}

/// Parses the item as a function `#[query_budget]` can wrap.
fn parse_fn(item: TokenStream) -> Result<ItemFn, syn::Error> {
    let func = match syn::parse2::<ItemFn>(item.clone()) {
        Ok(func) => func,
        Err(fn_err) => return Err(not_a_fn(item, fn_err)),
    };
    if let Some(constness) = &func.sig.constness {
        return Err(syn::Error::new_spanned(
            pair(constness, &pair(&func.sig.fn_token, &func.sig.ident)),
            "#[query_budget] cannot go on a `const fn`: its budget is checked at run time, and a \
             `const fn` can run at compile time",
        ));
    }
    if let Some(abi) = &func.sig.abi {
        let rust = abi.name.as_ref().is_some_and(|name| name.value() == "Rust");
        if !rust {
            return Err(syn::Error::new_spanned(
                abi,
                "#[query_budget] cannot go on an `extern` fn: a broken budget panics, and a panic \
                 must not cross a foreign ABI; put it on the Rust function this one calls",
            ));
        }
    }
    Ok(func)
}

/// The error for an item that is not a function with a body.
fn not_a_fn(item: TokenStream, fn_err: syn::Error) -> syn::Error {
    if let Ok(method) = syn::parse2::<syn::TraitItemFn>(item.clone())
        && method.default.is_none()
    {
        return syn::Error::new_spanned(
            pair(&method.sig.fn_token, &method.sig.ident),
            "#[query_budget] needs a function with a body: put it on the implementations",
        );
    }
    let Ok(parsed) = syn::parse2::<Item>(item.clone()) else {
        // Not an item syn can read: say what syn says.
        return fn_err;
    };
    let (what, at): (&str, TokenStream) = match &parsed {
        Item::Struct(i) => ("a struct", pair(&i.struct_token, &i.ident)),
        Item::Enum(i) => ("an enum", pair(&i.enum_token, &i.ident)),
        Item::Union(i) => ("a union", pair(&i.union_token, &i.ident)),
        Item::Trait(i) => ("a trait", pair(&i.trait_token, &i.ident)),
        Item::TraitAlias(i) => ("a trait alias", pair(&i.trait_token, &i.ident)),
        Item::Impl(i) => (
            "an impl block: put it on the methods instead",
            i.impl_token.to_token_stream(),
        ),
        Item::Mod(i) => ("a module", pair(&i.mod_token, &i.ident)),
        Item::Const(i) => ("a const", pair(&i.const_token, &i.ident)),
        Item::Static(i) => ("a static", pair(&i.static_token, &i.ident)),
        Item::Type(i) => ("a type alias", pair(&i.type_token, &i.ident)),
        Item::Use(i) => ("a `use`", i.use_token.to_token_stream()),
        Item::ExternCrate(i) => ("an `extern crate`", i.extern_token.to_token_stream()),
        Item::ForeignMod(i) => ("an `extern` block", i.abi.to_token_stream()),
        Item::Macro(i) => ("a macro", i.mac.path.to_token_stream()),
        // Anything syn keeps verbatim.
        _ => ("this kind of item", item),
    };
    syn::Error::new_spanned(
        at,
        format!("#[query_budget] goes on a function, not on {what}"),
    )
}

/// `struct Name`: where the error about a non-function item points.
fn pair(keyword: &impl ToTokens, name: &impl ToTokens) -> TokenStream {
    quote!(#keyword #name)
}

/// Rewrites the function.
fn expand(args: &Args, func: ItemFn) -> TokenStream {
    let ItemFn {
        attrs,
        vis,
        sig,
        block,
    } = func;
    let (outer, inner): (Vec<_>, Vec<_>) = attrs
        .into_iter()
        .partition(|a| matches!(a.style, AttrStyle::Outer));

    let ident = &sig.ident;
    let name = match &args.name {
        Some(name) => name.to_token_stream(),
        None => {
            let fn_name = ident.unraw().to_string();
            quote!(::core::concat!(::core::module_path!(), "::", #fn_name))
        }
    };
    // Spanned at the function's name: the report then points at the function, not at the
    // attribute.
    let file = quote_spanned!(ident.span()=> ::core::file!());
    let line = quote_spanned!(ident.span()=> ::core::line!());
    let budget = args.budget();
    let mode = args.mode();
    let preset = args.preset();
    let (allow, reason) = args.allowances();
    let backtrace = args.backtrace();
    let dialect = args.dialect();
    let spec = quote! {
        ::query_guard::__private::ScopeSpec {
            name: #name,
            file: #file,
            line: #line,
            budget: #budget,
            preset: #preset,
            allow: #allow,
            reason: #reason,
            backtrace: #backtrace,
            dialect: #dialect,
            mode: #mode,
            in_test: ::core::cfg!(test),
        }
    };
    // Mixed-site: the body cannot name (or shadow) the guard.
    let guard = Ident::new("__query_guard_scope", Span::mixed_site());

    let body = if sig.asyncness.is_some() {
        let fake_return = match &sig.output {
            ReturnType::Type(_, ty) => fake_return_edge(ty),
            ReturnType::Default => fake_return_edge(&syn::parse_quote_spanned!(ident.span()=> ())),
        };
        instrument(&guard, &spec, fake_return, &block)
    } else if let Some(returned) = returned_future(&block) {
        // `Box::pin(async move { … })` (what `#[async_trait]` makes of an `async fn`) or
        // `async move { … }`: budget the future, not its creation.
        let fake_return = future_output(&sig.output)
            .map(|ty| fake_return_edge(&ty))
            .unwrap_or_default();
        let instrumented = instrument(&guard, &spec, fake_return, &returned.future.block);
        let attrs = &returned.future.attrs;
        let future =
            quote_spanned!(returned.future.span()=> #(#attrs)* async move { #instrumented });
        match returned.pin {
            Some(pin) => quote!(#pin(#future)),
            None => future,
        }
    } else {
        let stmts = &block.stmts;
        quote! {
            let #guard = ::query_guard::__private::enter_sync(#spec);
            #(#stmts)*
        }
    };

    let mut out = quote!(#(#outer)* #vis #sig);
    block.brace_token.surround(&mut out, |tokens| {
        for attr in &inner {
            attr.to_tokens(tokens);
        }
        body.to_tokens(tokens);
    });
    out
}

/// The statements of an async body: open the scope, then run `block` as an `async move` block
/// instrumented with the scope's span, keeping the guard until it has finished.
fn instrument(
    guard: &Ident,
    spec: &TokenStream,
    fake_return: TokenStream,
    block: &Block,
) -> TokenStream {
    let future = quote_spanned! {block.span()=>
        async move {
            #fake_return
            #block
        }
    };
    quote! {
        let #guard = ::query_guard::__private::open_async(#spec);
        ::query_guard::__private::run_async(#guard, #future).await
    }
}

/// A synchronous function whose whole body is a future to return.
struct ReturnedFuture<'a> {
    /// `Box::pin` (the function called with the block), if any.
    pin: Option<&'a syn::ExprPath>,
    /// The `async move` block.
    future: &'a ExprAsync,
}

/// Recognises a body that is only `async move { … }` or `Box::pin(async move { … })`.
fn returned_future(block: &Block) -> Option<ReturnedFuture<'_>> {
    let [Stmt::Expr(expr, None)] = block.stmts.as_slice() else {
        return None;
    };
    match expr {
        Expr::Async(future) if future.capture.is_some() => {
            Some(ReturnedFuture { pin: None, future })
        }
        Expr::Call(call) if call.args.len() == 1 => {
            let Expr::Path(pin) = &*call.func else {
                return None;
            };
            let segments: Vec<_> = pin
                .path
                .segments
                .iter()
                .map(|s| s.ident.to_string())
                .collect();
            let is_box_pin =
                segments.len() >= 2 && segments[segments.len() - 2..] == ["Box", "pin"];
            match &call.args[0] {
                Expr::Async(future) if is_box_pin && future.capture.is_some() => {
                    Some(ReturnedFuture {
                        pin: Some(pin),
                        future,
                    })
                }
                _ => None,
            }
        }
        _ => None,
    }
}

/// `T` in a return type `impl Future<Output = T>` or `Pin<Box<dyn Future<Output = T> + …>>`.
fn future_output(output: &ReturnType) -> Option<Type> {
    fn find(ty: &Type) -> Option<Type> {
        let bounds = match ty {
            Type::ImplTrait(t) => &t.bounds,
            Type::TraitObject(t) => &t.bounds,
            Type::Paren(t) => return find(&t.elem),
            Type::Group(t) => return find(&t.elem),
            // `Pin<Box<…>>`, `Box<…>`: look inside the first type argument.
            Type::Path(p) => {
                let last = p.path.segments.last()?;
                let syn::PathArguments::AngleBracketed(args) = &last.arguments else {
                    return None;
                };
                return args.args.iter().find_map(|arg| match arg {
                    syn::GenericArgument::Type(t) => find(t),
                    _ => None,
                });
            }
            _ => return None,
        };
        bounds.iter().find_map(|bound| {
            let syn::TypeParamBound::Trait(t) = bound else {
                return None;
            };
            let last = t.path.segments.last()?;
            if last.ident != "Future" {
                return None;
            }
            let syn::PathArguments::AngleBracketed(args) = &last.arguments else {
                return None;
            };
            args.args.iter().find_map(|arg| match arg {
                syn::GenericArgument::AssocType(a) if a.ident == "Output" => Some(a.ty.clone()),
                _ => None,
            })
        })
    }
    match output {
        ReturnType::Type(_, ty) => find(ty),
        ReturnType::Default => None,
    }
}

/// An unreachable `return` of the declared type at the top of the async block, so that `?` and
/// `return` inside the body infer the block's output type (what `tracing::instrument` does).
fn fake_return_edge(ty: &Type) -> TokenStream {
    // `!` cannot be written as a `let` type on stable; nothing to infer anyway.
    if matches!(ty, Type::Never(_)) {
        return TokenStream::new();
    }
    let span = ty.span();
    let ty = erase_impl_trait(ty);
    // Spanned at the return type, so "return type inferred to be … here" points at it.
    let var = Ident::new("__query_guard_fake_return", span);
    quote_spanned! {span=>
        #[allow(
            unknown_lints,
            unreachable_code,
            clippy::diverging_sub_expression,
            clippy::empty_loop,
            clippy::let_unit_value,
            clippy::let_with_type_underscore,
            clippy::needless_return,
            clippy::unreachable
        )]
        if false {
            let #var: #ty = loop {};
            return #var;
        }
    }
}

/// `impl Trait` cannot be a `let` type: replace each with `_`.
fn erase_impl_trait(ty: &Type) -> Type {
    struct Eraser;
    impl VisitMut for Eraser {
        fn visit_type_mut(&mut self, t: &mut Type) {
            if let Type::ImplTrait(_) = t {
                *t = Type::Infer(syn::TypeInfer {
                    underscore_token: Token![_](t.span()),
                });
            } else {
                syn::visit_mut::visit_type_mut(self, t);
            }
        }
    }
    let mut ty = ty.clone();
    Eraser.visit_type_mut(&mut ty);
    ty
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The expansion without whitespace, to compare with partial token sequences.
    fn expand_squashed(args: TokenStream, item: TokenStream) -> String {
        squash(&query_budget(args, item).to_string())
    }

    fn squash(s: &str) -> String {
        s.chars().filter(|c| !c.is_whitespace()).collect()
    }

    #[track_caller]
    fn assert_contains(out: &str, part: &str) {
        assert!(out.contains(&squash(part)), "`{part}` not in {out}");
    }

    #[test]
    fn sync_guard_is_the_first_statement_after_inner_attributes() {
        let out = expand_squashed(
            quote!(max = 2),
            quote!(
                #[inline]
                pub(crate) fn f(x: u8) -> u8 {
                    #![allow(unused)]
                    let y = x;
                    y
                }
            ),
        );
        let start = "#[inline] pub(crate) fn f(x: u8) -> u8 { #![allow(unused)] \
                     let __query_guard_scope = ::query_guard::__private::enter_sync(";
        assert!(out.starts_with(&squash(start)), "{out}");
        assert!(out.ends_with(&squash("let y = x; y }")), "{out}");
        assert_contains(&out, "budget: ::query_guard::Budget::new().max(2usize),");
        assert_contains(&out, "mode: ::core::option::Option::None,");
        assert_contains(&out, "in_test: ::core::cfg!(test)");
        assert_contains(
            &out,
            r#"name: ::core::concat!(::core::module_path!(), "::", "f"),"#,
        );
    }

    #[test]
    fn async_body_is_instrumented_and_attributes_are_kept() {
        let out = expand_squashed(
            quote!(detail, mode = "warn", name = "show"),
            quote!(
                #[tokio::test]
                async fn t() -> Result<(), E> {
                    body()?;
                    Ok(())
                }
            ),
        );
        let start = "#[tokio::test] async fn t() -> Result<(), E> { \
                     let __query_guard_scope = ::query_guard::__private::open_async(";
        assert!(out.starts_with(&squash(start)), "{out}");
        assert_contains(&out, r#"name: "show","#);
        assert_contains(&out, "budget: ::query_guard::Budget::new(),");
        assert_contains(&out, "preset: ::core::option::Option::Some(\"detail\"),");
        assert_contains(
            &out,
            "::core::option::Option::Some(::query_guard::Mode::Warn)",
        );
        assert_contains(
            &out,
            "::query_guard::__private::run_async(__query_guard_scope, async move {",
        );
        assert_contains(
            &out,
            "let __query_guard_fake_return: Result<(), E> = loop {};",
        );
        assert!(
            out.ends_with(&squash("{ body()?; Ok(()) } }).await }")),
            "{out}"
        );
    }

    #[test]
    fn impl_trait_is_erased_in_the_fake_return() {
        let out = expand_squashed(
            quote!(max = 1),
            quote!(
                async fn t() -> Option<impl Display> {
                    None
                }
            ),
        );
        assert_contains(&out, "let __query_guard_fake_return: Option<_> = loop {};");
        let out = expand_squashed(
            quote!(max = 1),
            quote!(
                async fn t() -> ! {
                    loop {}
                }
            ),
        );
        assert!(!out.contains("__query_guard_fake_return"), "{out}");
    }

    #[test]
    fn returned_futures_are_instrumented() {
        let out = expand_squashed(
            quote!(max = 1),
            quote!(
                fn f(&self) -> Pin<Box<dyn Future<Output = Result<u8, E>> + Send + '_>> {
                    Box::pin(async move {
                        g()?;
                        Ok(1)
                    })
                }
            ),
        );
        assert_contains(
            &out,
            "{ Box::pin(async move { let __query_guard_scope = ::query_guard::__private::open_async(",
        );
        assert_contains(
            &out,
            "let __query_guard_fake_return: Result<u8, E> = loop {};",
        );
        assert!(out.ends_with(&squash("{ g()?; Ok(1) } }).await }) }")));

        let out = expand_squashed(
            quote!(max = 1),
            quote!(
                fn f() -> impl Future<Output = Option<impl Display>> {
                    async move { None }
                }
            ),
        );
        assert_contains(
            &out,
            "{ async move { let __query_guard_scope = ::query_guard::__private::open_async(",
        );
        assert_contains(&out, "let __query_guard_fake_return: Option<_> = loop {};");

        // Anything else is a synchronous body: statements before the future, a non-`move` block,
        // another function than `Box::pin`.
        for item in [
            quote!(
                fn f() -> impl Future<Output = ()> {
                    let x = 1;
                    async move {
                        x;
                    }
                }
            ),
            quote!(
                fn f() -> impl Future<Output = ()> {
                    async {}
                }
            ),
            quote!(
                fn f() -> Pin<Box<dyn Future<Output = ()>>> {
                    Rc::pin(async move {})
                }
            ),
        ] {
            let out = expand_squashed(quote!(max = 1), item);
            assert_contains(&out, "::query_guard::__private::enter_sync(");
            assert!(!out.contains("open_async"), "{out}");
        }
    }

    #[test]
    fn errors_keep_the_item_as_written() {
        let item = quote!(
            #[must_use]
            fn f() -> u8 {
                1
            }
        );
        let out = expand_squashed(quote!(maxx = 1), item.clone());
        assert!(out.starts_with("::core::compile_error!"), "{out}");
        assert!(out.ends_with(&squash(&item.to_string())), "{out}");

        let item = quote!(
            struct S;
        );
        let out = expand_squashed(quote!(max = 1), item.clone());
        assert_contains(&out, "not on a struct");
        assert!(out.ends_with(&squash(&item.to_string())), "{out}");

        // Argument errors and item errors are reported together.
        let out = expand_squashed(
            quote!(),
            quote!(
                const fn f() {}
            ),
        );
        assert_contains(&out, "needs a limit");
        assert_contains(&out, "`const fn`");
    }
}
