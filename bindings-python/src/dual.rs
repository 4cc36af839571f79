//! Every native call in two forms from one body: `x` blocks (GIL released, [`wait`]) and
//! `x_async` returns an asyncio awaitable ([`awaitable`]), both on the one shared runtime.
//!
//! The Python package picks the form by name: a definition awaits `call(native.x, ...)`, and
//! `Sandbox` runs `x` while `AsyncSandbox` awaits `x_async` (see `hopx_ai/_define.py`). So a new
//! call is one entry here, and both names always exist with the same arguments.
//!
//! [`wait`]: crate::runtime::wait
//! [`awaitable`]: crate::runtime::awaitable

/// The `#[pymethods]` block of a class whose `inner` field is a cheap `Clone` handle.
///
/// ```ignore
/// dual_methods! {
///     impl NativeSandbox {
///         plain { /* ordinary #[pymethods] items, copied as they are */ }
///         /// Docs (both forms get them).
///         fn kill_process / kill_process_async (sb, process_id: String) -> Json {
///             sb.kill_process(&process_id).await.map(Json)
///         }
///     }
/// }
/// ```
///
/// `sb` names a clone of `self.inner` inside the body, an `async` block whose output is a
/// `hopx_core::Result<T>` with `T` the declared return type.
macro_rules! dual_methods {
    (
        impl $class:ident {
            plain { $($plain:tt)* }
            $(
                $(#[$attr:meta])*
                fn $sync:ident / $async_:ident ($handle:ident $(, $arg:ident : $ty:ty)* $(,)?)
                    -> $ret:ty $body:block
            )*
        }
    ) => {
        #[pymethods]
        impl $class {
            $($plain)*
            $(
                $(#[$attr])*
                #[allow(clippy::too_many_arguments)]
                fn $sync(&self, py: Python<'_> $(, $arg: $ty)*) -> PyResult<$ret> {
                    let $handle = self.inner.clone();
                    $crate::runtime::wait::<$ret, _>(py, async move $body)
                }

                $(#[$attr])*
                #[allow(clippy::too_many_arguments)]
                fn $async_<'py>(&self, py: Python<'py> $(, $arg: $ty)*) -> PyResult<Bound<'py, PyAny>> {
                    let $handle = self.inner.clone();
                    $crate::runtime::awaitable::<$ret, _>(py, async move $body)
                }
            )*
        }
    };
}

/// Module functions in both forms, and `register` adding them all to the module.
///
/// ```ignore
/// dual_functions! {
///     /// Docs (both forms get them).
///     #[pyo3(signature = (sandbox_id, *, api_key=None))]
///     fn connect / connect_async (sandbox_id: String, api_key: Option<String>) -> NativeSandbox {
///         do_connect(sandbox_id, api_key).await
///     }
/// }
/// ```
macro_rules! dual_functions {
    (
        $(
            $(#[$attr:meta])*
            fn $sync:ident / $async_:ident ($($arg:ident : $ty:ty),* $(,)?) -> $ret:ty $body:block
        )*
    ) => {
        $(
            // After `#[pyfunction]`, which reads the `#[pyo3(...)]` attributes that follow it.
            #[pyfunction]
            $(#[$attr])*
            #[allow(clippy::too_many_arguments)]
            fn $sync(py: Python<'_> $(, $arg: $ty)*) -> PyResult<$ret> {
                $crate::runtime::wait::<$ret, _>(py, async move $body)
            }

            #[pyfunction]
            $(#[$attr])*
            #[allow(clippy::too_many_arguments)]
            fn $async_<'py>(py: Python<'py> $(, $arg: $ty)*) -> PyResult<Bound<'py, PyAny>> {
                $crate::runtime::awaitable::<$ret, _>(py, async move $body)
            }
        )*

        /// Adds both forms of every function above to the module.
        fn register_dual(m: &Bound<'_, PyModule>) -> PyResult<()> {
            $(
                m.add_function(wrap_pyfunction!($sync, m)?)?;
                m.add_function(wrap_pyfunction!($async_, m)?)?;
            )*
            Ok(())
        }
    };
}

pub(crate) use {dual_functions, dual_methods};
